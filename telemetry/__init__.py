"""What a process tells its operators about itself: structured logs (`telemetry.logs`) and a
worker's Prometheus metrics (`telemetry.metrics`)."""
