"""What staff use to change and watch what the line says: `pages` (the staff pages), `check`
(`hotline check`), `flowtests` (conversations that must keep working), `preview` (a draft
beside what residents get), `graph` (the flow as a picture), `recordings` (recorded prompts
that are missing or stale), `throttle` (the sign-in's limits)."""
