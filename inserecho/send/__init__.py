"""Sending: takes a rendered issue and the subscriber list, gives one MIME message per
recipient, delivered through a pool of SMTP connections (or a Maildir outbox) under a rate
limit, with every recipient's state kept in the SQLite journal."""

from inserecho.send.campaign import Campaign, prepare_campaign
from inserecho.send.delivery import DeliveryOptions, DeliveryReport, deliver
from inserecho.send.journal import Journal
from inserecho.send.subscribers import Subscriber, load_subscribers

__all__ = [
    "Campaign", "DeliveryOptions", "DeliveryReport", "Journal", "Subscriber", "deliver",
    "load_subscribers", "prepare_campaign",
]
