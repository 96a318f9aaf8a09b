"""The embedded broker of `make run` (kombu's filesystem transport), with messages written whole.

kombu writes a message file in place, and a worker polling the folder can move and read it between
its creation and its write: it reads an empty file, and the worker stops with an "Unrecoverable
error" (JSONDecodeError; kombu issue #1551). The outbox's wake-ups and beat's runs every few seconds
made that a matter of minutes under `make run`. Here a message is written under a name the worker
ignores and renamed into the queue's name once complete: a rename within a folder is atomic.
"""

import os
import time
import uuid

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The same name kombu gives (time first, so the worker takes them in order), plus a suffix
        # that keeps it out of the queue until it is whole.
        name = f"{int(round(time.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.partial"
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
