"""The case store: every complaint's projection, timeline, customer, archive and outbox in
PostgreSQL. Temporal holds each case's live state; the store answers questions across cases."""
