"""After the send: the association's mailbox read over IMAP, each message classified
(bounce, complaint, unsubscribe, auto-reply, for a human) and applied to the journal."""
