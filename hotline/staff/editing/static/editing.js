// The check as an editor types: a debounced POST of the fields to /staff/edit/check, its
// problems shown beside each field, and what the screen costs per language.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || form.querySelector("[readonly]")) { return; }
  var timer = null, asked = 0;
  var meta = document.querySelector("meta[name=csrf-token]");
  var token = meta ? meta.content : form.elements.csrf_token.value;
  var status = document.getElementById("check-status");

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token") { return; }
      out[el.name] = el.type === "checkbox" ? (el.checked ? "on" : "") : el.value;
    });
    return out;
  }

  function item(text, warning) {
    var li = document.createElement("li");
    li.className = warning ? "warning" : "error";
    li.textContent = (warning ? "Advice: " : "Must fix: ") + text;
    return li;
  }

  function show(result) {
    document.querySelectorAll(".field-problems, #problems-other").forEach(function (ul) { ul.textContent = ""; });
    var other = document.getElementById("problems-other");
    result.problems.forEach(function (p) {
      var ul = (p.field && document.getElementById("p-" + p.field)) || other;
      ul.appendChild(item(p.message, p.warning));
    });
    var table = document.getElementById("costs"), body = table.querySelector("tbody");
    body.textContent = "";
    result.costs.forEach(function (c) {
      var tr = document.createElement("tr");
      [c.name + " (" + c.lang + ")", c.node,
       c.segments + " segment" + (c.segments === 1 ? "" : "s") + " in " + c.pages + " text" + (c.pages === 1 ? "" : "s") + " · " + c.encoding,
       c.whatsapp + " characters",
       c.seconds === null ? "not heard" : "about " + c.seconds + " s"].forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.hidden = !result.costs.length;
    var errors = result.problems.filter(function (p) { return !p.warning; }).length;
    status.textContent = errors ? errors + " thing(s) to fix before this can be published." :
      "No errors." + (result.problems.length ? " Some advice below." : "");
  }

  function run() {
    var mine = ++asked;
    status.textContent = "Checking…";
    fetch(form.dataset.check, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify({kind: form.dataset.kind, id: form.dataset.id, fields: fields()})
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (mine === asked) {
        if (result.error) { status.textContent = result.error; } else { show(result); }
      }
    }).catch(function () { if (mine === asked) { status.textContent = "The check did not answer; try again."; } });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 700);
  });
  run();
}());
