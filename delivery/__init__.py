"""Delivery: notifications handed to real gateways (SMTP, webhooks), and e-mail coming in."""
