package dev.costwise.planner.engine;

/** Hears how far a run is; used for the progress bar. Must be fast and not throw. */
@FunctionalInterface
public interface ProgressListener {

    /** Hears nothing. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * @param done requests done
     * @param total requests in the run
     */
    void progress(long done, long total);
}
