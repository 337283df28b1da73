package io.gpudocker.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.gpudocker.common.StandInCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ReflinkProbeTest {

    @Test
    void theMachinesOwnFilesystemCopiesBytesAndSaysWhy(@TempDir Path tmp) throws Exception {
        String type = Files.getFileStore(tmp).type();
        assumeThat(type).as("a filesystem without reflinks").isNotIn("xfs", "btrfs");

        ReflinkProbe.Verdict verdict = new ReflinkProbe("cp").probe(tmp);

        assertThat(verdict.method()).isEqualTo(CopyMethod.BYTES);
        assertThat(verdict.reflinks()).isFalse();
        assertThat(verdict.filesystem()).isEqualTo(type);
        assertThat(verdict.reason()).contains(type).contains("every byte is copied");
        assertThat(leftovers(tmp)).as("the probe cleans up").isEmpty();
    }

    @Test
    void aFilesystemWhereCpClonesGetsReflinksAndIsProbedOnce(@TempDir Path tmp) throws Exception {
        Path calls = tmp.resolve("calls");
        Path work = Files.createDirectories(tmp.resolve("work"));
        String cp = StandInCommand.write(tmp, "cp", "echo \"$@\" >> " + calls + "; cat \"$3\" > \"$4\"");
        ReflinkProbe probe = new ReflinkProbe(cp);

        ReflinkProbe.Verdict first = probe.probe(work);
        ReflinkProbe.Verdict again = probe.methodFor(Files.createDirectories(work.resolve("a")), Files.createDirectories(work.resolve("b/diff")));

        assertThat(first.method()).isEqualTo(CopyMethod.REFLINK);
        assertThat(first.reason()).contains("--reflink=always cloned a probe file");
        assertThat(again).isEqualTo(first);
        List<String> ran = Files.readAllLines(calls);
        assertThat(ran).as("one probe per filesystem").hasSize(1);
        assertThat(ran.get(0)).startsWith("--reflink=always -- ");
        assertThat(leftovers(work)).isEmpty();
    }

    @Test
    void aRefusedCloneMeansBytesQuotingCp(@TempDir Path tmp) throws Exception {
        String cp = StandInCommand.write(tmp, "cp", "echo \"cp: failed to clone '$4': Operation not supported\" >&2; exit 1");

        ReflinkProbe.Verdict verdict = new ReflinkProbe(cp).probe(tmp);

        assertThat(verdict.method()).isEqualTo(CopyMethod.BYTES);
        assertThat(verdict.reason()).contains("Operation not supported");
    }

    @Test
    void treesOnTwoFilesystemsAreCopiedByBytesWithoutAProbe(@TempDir Path tmp) throws Exception {
        Path calls = tmp.resolve("calls");
        String cp = StandInCommand.write(tmp, "cp", "echo \"$@\" >> " + calls);

        ReflinkProbe.Verdict verdict = new ReflinkProbe(cp).methodFor(Path.of("/proc"), Files.createDirectories(tmp.resolve("to")));

        assertThat(verdict.method()).isEqualTo(CopyMethod.BYTES);
        assertThat(verdict.reason()).contains("not on one filesystem");
        assertThat(calls).doesNotExist();
    }

    @Test
    void aProbeThatCannotRunIsNotRememberedAndMeansBytes(@TempDir Path tmp) throws Exception {
        ReflinkProbe probe = new ReflinkProbe(tmp.resolve("no-such-cp").toString());

        assertThat(probe.probe(tmp).method()).isEqualTo(CopyMethod.BYTES);
        assertThat(probe.probe(tmp).reason()).contains("could not run");
        assertThat(leftovers(tmp)).isEmpty();
    }

    private static List<Path> leftovers(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".gda-reflink-probe-")).toList();
        }
    }
}
