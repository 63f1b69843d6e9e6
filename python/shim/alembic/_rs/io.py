"""``output_encoding``: text written to a binary stream, encoded."""


class EncodedIO:
    def __init__(self, stream, encoding):
        self.stream = stream
        self.encoding = encoding

    def write(self, text):
        buffer = getattr(self.stream, "buffer", None)
        if buffer is not None:
            buffer.write(text.encode(self.encoding))
        else:
            self.stream.write(text)

    def flush(self):
        self.stream.flush()
