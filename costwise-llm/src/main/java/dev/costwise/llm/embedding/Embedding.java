package dev.costwise.llm.embedding;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input's vector.
 *
 * <p>Immutable: the vector is copied in and {@link #vector()} returns a copy; {@link #get(int)} and
 * {@link #dimensions()} read without copying. Floats, as the providers send them (a double per dimension would double
 * the memory for no precision the models have).
 *
 * @param index the position of the input this vector belongs to
 * @param vector the vector
 */
public record Embedding(int index, float[] vector) {

    public Embedding {
        Objects.requireNonNull(vector, "vector");
        if (index < 0) {
            throw new IllegalArgumentException("index cannot be negative, was " + index);
        }
        vector = vector.clone();
    }

    /** @return a copy of the vector */
    @Override
    public float[] vector() {
        return vector.clone();
    }

    /** @return the number of dimensions */
    public int dimensions() {
        return vector.length;
    }

    /**
     * One component.
     *
     * @param i the dimension, from 0
     * @return its value
     * @throws IndexOutOfBoundsException if {@code i} is outside the vector
     */
    public float get(int i) {
        return vector[i];
    }

    /**
     * The cosine similarity with another vector of the same size.
     *
     * @param other the other embedding
     * @return the similarity in [-1, 1]
     * @throws IllegalArgumentException if the sizes differ
     */
    public double cosine(Embedding other) {
        if (other.vector.length != vector.length) {
            throw new IllegalArgumentException("cannot compare vectors of " + vector.length + " and "
                    + other.vector.length + " dimensions");
        }
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int i = 0; i < vector.length; i++) {
            dot += (double) vector[i] * other.vector[i];
            a += (double) vector[i] * vector[i];
            b += (double) other.vector[i] * other.vector[i];
        }
        return a == 0 || b == 0 ? 0 : dot / Math.sqrt(a * b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding e && index == e.index && Arrays.equals(vector, e.vector);
    }

    @Override
    public int hashCode() {
        return 31 * index + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "Embedding[index=" + index + ", dimensions=" + vector.length + "]";
    }
}
