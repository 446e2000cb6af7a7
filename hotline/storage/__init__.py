"""Where the line keeps what changes while it runs, all in Redis: sessions and rate limits
(`sessions`), the staff counts (`stats`), the connection (`connection`) and the instance's
own server when no `REDIS_URL` is set (`embedded`). Nothing here identifies a resident."""
