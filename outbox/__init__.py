"""One outbox for every delivery Lantern makes: the database row is the queue, Celery runs it.

A kind of delivery (a staff alert, an eligibility check, later texts and hand-offs) is a model that
subclasses `outbox.models.Delivery` and says how to perform one row. Everything else is here, once:
claiming due rows in batches, back-off, permanent versus temporary failures, reclaiming rows whose
worker died, and waking the worker (see README.md's "Deliveries").
"""
