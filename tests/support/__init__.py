"""What the tests share, one concern a module; a test module imports from here, never from
another test module or from conftest (tests/test_test_layout.py checks it).

- `desk`: the desk a test drives (`Desk`, `running_desk`), `intake`, `eventually`, the tests'
  key and converter, `ROUND_THE_CLOCK` and `responding_within`, recording histories.
- `cases`: cases built by the pure rules (`T0`, `opened`, `classified`, `played`, `at`).
- `lifecycle`: a case driven to its close through the desk (`drive_to_close`).
- `servers`: the real dev server, and `on_both_servers` to run a test on it as well.
- `leftovers`: the end-of-run check for servers a run left running.
- `api`, `web`, `cli`, `temporal_cli`: each door as its users reach it (HTTP API, browser,
  `complaint-desk`, the plain `temporal` CLI).
- `gateways`, `mail`: real SMTP and webhook receivers; the e-mail door and a customer's mail.
- `refusals`: `refused(code, **params)`.
- `integrity`, `stuck`, `kpis`, `chunking`, `logging_probe`, `fault_report`: what one area's
  tests share (the door's checks, a stuck case, a month of KPIs, history re-chunkings, a
  workflow that logs from the sandbox, the fault scenarios' report).
"""
