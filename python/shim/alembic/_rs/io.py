"""``output_encoding``: Alembic's ``util.compat.EncodedIO``.

A ``TextIOWrapper`` around the output buffer, so the buffer must be binary:
around a text stream (``sys.stdout``) the first flush fails with
``TypeError: write() argument must be str, not bytes``, as it does in
Alembic.
"""

import io


class EncodedIO(io.TextIOWrapper):
    def close(self):
        pass
