"""The client library every door calls: `ComplaintDesk` (desk.service), its errors (desk.errors),
connecting (desk.connection) and reading a case without the workflow code (desk.reading)."""
