package dev.costwise.planner;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Says why a file could not be read or written, in words for one line of a command's error output. */
public final class FileErrors {
    private FileErrors() {}

    /**
     * The reason of a failed file operation. The JDK's own message of a {@link NoSuchFileException} is only the path,
     * which says nothing once the path is already in the sentence.
     *
     * @param e the failure
     * @return the reason ({@code no such file or directory}, {@code permission denied}, {@code Is a directory}…)
     */
    public static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file or directory";
            case AccessDeniedException a -> "permission denied";
            case NotDirectoryException n -> "not a directory";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
