package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./costwise} launcher names a method and a command of ours; a rename must not leave a flag that does
 * nothing or an archive that is never recorded.
 */
class LauncherTest {

    @Test
    void givenTheLaunchersJitBoundary_whenResolved_thenItNamesAMethodThatExists() throws Exception {
        String launcher = Files.readString(repositoryRoot().resolve("costwise"));
        Matcher m = Pattern.compile("JIT_BOUNDARY=\"([\\w.$]+)::(\\w+)\"").matcher(launcher);
        assertThat(m.find()).as("the launcher sets JIT_BOUNDARY=\"class::method\"").isTrue();
        assertThat(launcher).contains("-XX:CompileCommand=dontinline,$JIT_BOUNDARY");

        Class<?> type = Class.forName(m.group(1));
        String method = m.group(2);

        assertThat(Arrays.stream(type.getDeclaredMethods()).map(Method::getName)).contains(method);
    }

    @Test
    void givenTheLaunchersArchiveRecording_whenResolved_thenItRunsACommandTheCliHas() throws Exception {
        String launcher = Files.readString(repositoryRoot().resolve("costwise"));
        Matcher m = Pattern.compile("-XX:ArchiveClassesAtExit=.*?-jar \"\\$JAR\" ([\\w-]+)", Pattern.DOTALL)
                .matcher(launcher);
        assertThat(m.find()).as("the launcher records the archive with -jar \"$JAR\" <command>").isTrue();

        assertThat(CostwiseCommand.commandLine().getSubcommands()).containsKey(m.group(1));
    }

    private static Path repositoryRoot() throws IOException {
        // Surefire runs in the module's directory; the launcher sits one level up.
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("costwise"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IOException("no ./costwise launcher above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
