"""The hand-off to the clinical record: an admitted person's record as a FHIR R4 transaction Bundle,
delivered (with their Part 2 consent naming the recipient) through the outbox, downloaded by a
supervisor, or written by `manage.py export_fhir`."""
