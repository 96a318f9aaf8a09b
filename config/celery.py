import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lantern")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _release_prefetch_slot_even_if_redis_fails() -> None:
    """kombu's Redis QoS.ack first removes the message from Redis's "unacked" index and only then
    frees the worker's prefetch slot. When Redis is frozen the removal times out, the slot is
    never freed, and with one slot per pool process (prefetch multiplier 1) the worker stops taking
    messages for good: the Redis-frozen drill left 951 of 1,000 notifications pending after Redis
    came back. Freeing the slot whatever happens costs nothing: a message left in the index is
    delivered again after the visibility timeout, and delivery claims each row once."""
    from kombu.transport import redis, virtual

    def ack(self, delivery_tag):
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        try:
            if requeue:
                self.restore_by_tag(delivery_tag, leftmost=True)
            else:
                self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)

    redis.QoS.ack, redis.QoS.reject = ack, reject


_release_prefetch_slot_even_if_redis_fails()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs) -> None:
    # The filesystem transport of the embedded default expects its folders to exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
