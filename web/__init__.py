"""The web workspace: staff pages (sign-in, queue, case page, supervisor board) and the customer's
progress page, server-rendered, mounted by the HTTP API's server at `/` (`web.app.build`)."""
