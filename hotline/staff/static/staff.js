// The simulator: sends what the resident types to /staff/simulate and shows what they get.
// The conversation lives here (`session`), never on the server.
"use strict";
(() => {
  const sim = document.getElementById("sim");
  const controls = document.getElementById("controls");
  const lang = document.getElementById("lang");
  const log = document.getElementById("log");
  const status = document.getElementById("phone-status");
  const nodeLink = document.getElementById("node-link");
  const smsForm = document.getElementById("sms-form");
  const smsInput = document.getElementById("sms-input");
  const pad = document.getElementById("voice-pad");
  const sayForm = document.getElementById("say-form");
  const sayInput = document.getElementById("say-input");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;  // the guard refuses a POST without it
  let session = null;
  let queue = Promise.resolve();  // one exchange at a time, in the order typed
  let round = 0;                  // "Start over" drops answers still on their way

  const channel = () => controls.elements.channel.value;
  const NAMES = {sms: "Text message", whatsapp: "WhatsApp", voice: "Phone call"};
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  function add(who, text, meta) {
    const item = document.createElement("li");
    item.className = `msg ${who}`;
    const body = document.createElement("p");
    body.textContent = text;
    body.dir = "auto";
    item.append(body);
    if (meta) {
      const small = document.createElement("small");
      small.textContent = meta;
      item.append(small);
    }
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function where(data) {
    const option = [...lang.options].find((o) => o.value && o.value === data.lang);
    const parts = [NAMES[channel()]];
    if (option) parts.push(option.textContent.split(" (")[0]);
    status.textContent = parts.join(" · ");
    nodeLink.hidden = !data.node;
    if (data.node) nodeLink.href = sim.dataset.nodeUrl.replace("NODE", encodeURIComponent(data.node));
  }

  function show(data) {
    for (const reply of data.replies || []) {
      const cost = "segments" in reply ? [reply.encoding, plural(reply.segments, "segment")] : ["one WhatsApp message"];
      add("line", reply.text, [...cost, `${reply.characters} characters`].join(" · "));
    }
    if (data.replies && !data.replies.length) {
      add("note", data.stopped
        ? "No reply: the line forgot this conversation (STOP). Twilio sends its own confirmation."
        : "No reply: Twilio answers its own keywords (HELP, START) itself.");
    }
    for (const prompt of data.prompts || []) {
      if ("text" in prompt) add("line", prompt.text, [prompt.language, prompt.voice].filter(Boolean).join(" · "));
      else if ("pause" in prompt) add("note", `pause, ${plural(prompt.pause, "second")}`);
      else if ("play" in prompt) add("line", `Plays the recording ${prompt.play}`, "recorded prompt");
      else if ("dial" in prompt) add("note", `Connects the call to ${prompt.dial}. Here no one answers:`);
    }
    if (data.prompts) {
      add("note", data.listen
        ? `Listening for a key${data.listen.speech ? ` or words (${data.listen.speech})` : ""}`
        : "The call has ended. Press a key to call again.");
    }
    where(data);
  }

  function send(input) {
    const mine = round;
    queue = queue.then(() => mine === round && exchange(input, mine));
  }

  async function exchange(input, mine) {
    if (input !== null) {
      const key = channel() === "voice" && /^[0-9*#]$/.test(input);
      add("me", input === "" ? "(stays silent)" : key ? `Presses ${input}` : input);
    }
    try {
      const response = await fetch(sim.dataset.url, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({channel: channel(), lang: lang.value || null, session, input,
                              version: sim.dataset.version}),
      });
      const data = await response.json().catch(() => ({}));
      if (mine !== round) return;
      if (!response.ok) {
        add("note", response.status === 401 || response.status === 403 ? "Signed out or out of date: reload the page."
          : data.error || `Something went wrong (${response.status}).`);
        return;
      }
      session = data.session;
      show(data);
    } catch {
      add("note", "The server does not answer.");
    }
  }

  function start() {
    const voice = channel() === "voice";
    for (const option of lang.options) option.disabled = voice && option.dataset.voice === "0";
    if (lang.selectedOptions[0].disabled) lang.value = "";
    log.replaceChildren();
    session = null;
    round += 1;
    smsForm.hidden = voice;
    pad.hidden = !voice;
    where({lang: lang.value});
    if (voice || lang.value) send(null);
    else add("note", "Type what a resident texts first, for example HOLA, HELLO or 你好.");
  }

  controls.addEventListener("submit", (event) => { event.preventDefault(); start(); });
  controls.addEventListener("change", start);
  smsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!smsInput.value.trim()) return;
    send(smsInput.value);
    smsInput.value = "";
  });
  sayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!sayInput.value.trim()) return;
    send(sayInput.value);
    sayInput.value = "";
  });
  pad.addEventListener("click", (event) => {
    const key = event.target.closest("[data-key]");
    if (key) send(key.dataset.key);
  });
  document.getElementById("silence").addEventListener("click", () => send(""));
  start();
})();
