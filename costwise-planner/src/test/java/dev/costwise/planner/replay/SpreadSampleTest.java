package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SpreadSampleTest {

    private static SpreadSample<Integer> offered(int n, int items) {
        SpreadSample<Integer> s = new SpreadSample<>(n);
        IntStream.range(0, items).forEach(s::offer);
        return s;
    }

    @Test
    void givenFewerThanTwiceTheSampleSize_whenPicked_thenTheItemsAtKTimesSizeOverNArePicked() {
        assertThat(offered(4, 7).picks()).containsExactly(0, 1, 3, 5); // 0*7/4, 1*7/4, 2*7/4, 3*7/4
        assertThat(offered(4, 3).picks()).containsExactly(0, 1, 2);
        assertThat(offered(0, 3).picks()).isEmpty();
    }

    @Test
    void givenAStreamMuchLongerThanTheSample_whenPicked_thenNItemsSpreadEvenlyInStreamOrder() {
        // 1,000 items, n = 10: the stride doubles to 64, 16 items are kept (0, 64, ..., 960), 10 picked among them
        assertThat(offered(10, 1_000).picks()).containsExactly(0, 64, 192, 256, 384, 512, 576, 704, 768, 896);
    }
}
