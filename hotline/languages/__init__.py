"""Languages: which languages the line speaks (`locales`), the catalogs as files (`po`) and
the notes their entries carry (`comments`), which text each string is served in
(`entries`, `placeholders`, `serving`), the words and texts the line uses at run time
(`words`, `phrases`, `texts`), the translators' workflow (`template`, `workflow`) and
offline machine drafts (`machine`).

English is the source text. Each string falls back on its own (see `serving.serve`): a
stale, missing or broken translation never takes its language off the line; only
`offered: no` in locales.yaml does. Adding a language is a catalog and a row there.
"""
