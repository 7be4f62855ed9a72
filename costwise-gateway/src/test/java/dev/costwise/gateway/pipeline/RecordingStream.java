package dev.costwise.gateway.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/** Keeps what is written to it, and the arrays it was written from: whether a writer copied them first. */
final class RecordingStream extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<byte[]> arrays = new ArrayList<>();

    @Override
    public void write(int b) {
        bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        arrays.add(b);
        bytes.write(b, off, len);
    }
}
