"""The check: what would go wrong for a resident in a version of the content, found before
any process serves it. The line's serving gate (`hotline.content.live`), `hotline check`,
the staff pages and publishing all use it from here.

`version` (check one version, from folders or files, and hand back the content it loaded),
`rules` (each rule, a pure function), `flowtests` (conversations that must keep working),
`recordings` (recorded prompts that are missing or stale), `report` (what was found, as
text or JSON).
"""
