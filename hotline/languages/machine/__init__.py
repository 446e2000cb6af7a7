"""Offline machine drafts of missing translations, from installed Argos Translate packages.

Why: volunteers translate the line into many languages, and an empty msgstr means residents
get English. A machine draft, marked ``fuzzy`` and commented as needing review
(`hotline.languages.comments`), gives a fluent reviewer something to correct instead of a
blank, while the line keeps serving English until the draft is approved.

- `argos`: the Argos packages installed (where argospm puts them, so packages installed
  either way are found), installing one from its file; nothing here downloads anything.
- `translator`: a package loaded with ``ctranslate2`` and ``sentencepiece`` (the ``mt``
  extra, imported only when a draft is made) and translating in one batched call.
  ``argostranslate`` itself is not used: it pulls stanza and torch (gigabytes), downloads
  sentence-splitter models on first use (fails offline) and translates one string at a
  time; its package functions need it whole (README "Machine drafts").
- `masking`: numbers, phone numbers, URLs, e-mail addresses, markup and placeholders are
  masked before translation and restored after; a draft that lost, repeated or changed any
  of them is rejected, because a wrong phone number is worse than no draft.
- `sentences`: masked text cut into sentences, as the packages were trained.
- `drafting`: a catalog's missing entries drafted, checked and marked.
"""
