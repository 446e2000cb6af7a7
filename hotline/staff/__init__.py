"""What staff use to change and watch what the line says: `pages` (the staff pages), `preview`
(a draft beside what residents get), `graph` (the flow as a picture); the sign-in's
limits are the web edge's throttle (`hotline.web.throttle`, also `/metrics`'). The check they run (`hotline check`, the Problems page) is
`hotline.check`, the line's own serving gate."""
