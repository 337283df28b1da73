package io.gpudocker.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.gpudocker.api.ApiException;
import io.gpudocker.api.ErrorCode;
import io.gpudocker.replicaset.bind.Bind;
import io.gpudocker.replicaset.ReplicaSetRequests.Commit;
import io.gpudocker.replicaset.ReplicaSetRequests.CpuPatch;
import io.gpudocker.replicaset.ReplicaSetRequests.Create;
import io.gpudocker.replicaset.ReplicaSetRequests.Execute;
import io.gpudocker.replicaset.ReplicaSetRequests.GpuPatch;
import io.gpudocker.replicaset.ReplicaSetRequests.MemoryPatch;
import io.gpudocker.replicaset.ReplicaSetRequests.Patch;
import io.gpudocker.replicaset.ReplicaSetRequests.Rollback;
import io.gpudocker.replicaset.ReplicaSetRequests.VolumePatch;
import io.gpudocker.replicaset.SpecValidator;
import io.gpudocker.volume.VolumeNames;
import io.gpudocker.volume.VolumeRequests;
import io.gpudocker.volume.VolumeSize;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every request rule through a plain Bean Validation validator: what passes, and the code and message of what does not. */
class RequestValidationTest {
    private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();

    @AfterAll
    static void close() { FACTORY.close(); }

    // ---- replicaset create ------------------------------------------------------------------------------

    private static Create create() {
        return new Create("gda-test:latest", "foo", 1, List.of(new Bind("/tmp", "/root/foo-fs")), List.of("A=1"),
                List.of("sleep", "infinity"), List.of("22"), null, null, null, null);
    }

    private static Create withImage(String image) {
        Create c = create();
        return new Create(image, c.replicaSetName(), c.gpuCount(), c.binds(), c.env(), c.cmd(), c.containerPorts(), c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    private static Create withName(String name) {
        Create c = create();
        return new Create(c.imageName(), name, c.gpuCount(), c.binds(), c.env(), c.cmd(), c.containerPorts(), c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    private static Create withCompute(Integer cpuCount, String memory, String shmSize) {
        Create c = create();
        return new Create(c.imageName(), c.replicaSetName(), c.gpuCount(), c.binds(), c.env(), c.cmd(), c.containerPorts(), cpuCount, memory, shmSize, c.init());
    }

    private static Create withGpus(Integer gpus) {
        Create c = create();
        return new Create(c.imageName(), c.replicaSetName(), gpus, c.binds(), c.env(), c.cmd(), c.containerPorts(), c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    private static Create withBinds(List<Bind> binds) {
        Create c = create();
        return new Create(c.imageName(), c.replicaSetName(), c.gpuCount(), binds, c.env(), c.cmd(), c.containerPorts(), c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    private static Create withEnv(List<String> env) {
        Create c = create();
        return new Create(c.imageName(), c.replicaSetName(), c.gpuCount(), c.binds(), env, c.cmd(), c.containerPorts(), c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    private static Create withCmd(List<String> cmd) {
        Create c = create();
        return new Create(c.imageName(), c.replicaSetName(), c.gpuCount(), c.binds(), c.env(), cmd, c.containerPorts(), c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    private static Create withPorts(List<String> ports) {
        Create c = create();
        return new Create(c.imageName(), c.replicaSetName(), c.gpuCount(), c.binds(), c.env(), c.cmd(), ports, c.cpuCount(), c.memory(), c.shmSize(), c.init());
    }

    static Stream<Arguments> validRequests() {
        return Stream.of(
                arguments("create", create()),
                arguments("create, optional fields absent", new Create("gda-test:latest", "foo", null, null, null, null, null, null, null, null, null)),
                arguments("create, name of letters, digits, '_' and '.'", withName("foo_bar.2")),
                arguments("create, name of 128 characters", withName("x".repeat(128))),
                arguments("create, image with registry and digest", withImage("registry.local:5000/team/img@sha256:abc")),
                arguments("create, no GPU", withGpus(0)),
                arguments("create, 1024 GPUs", withGpus(GpuCountValidator.MAX)),
                arguments("create, host path and versioned volume", withBinds(List.of(new Bind("/nfs/share", "/root/fs"), new Bind("data-1", "/root/data")))),
                arguments("create, no binds", withBinds(List.of())),
                arguments("create, env", withEnv(List.of("A=1", "B_2=", "C=x=y", "D.e=multi\nline"))),
                arguments("create, empty cmd means the image's", withCmd(List.of())),
                arguments("create, cmd with an empty argument", withCmd(List.of("echo", ""))),
                arguments("create, ports", withPorts(List.of("22", "53/udp", " 8888 ", "5000/sctp", "65535"))),
                arguments("create, cores, memory and shm", withCompute(8, "32GB", "1.5GB")),
                arguments("create, unpinned and unlimited", withCompute(0, "0", "0")),
                arguments("patch {}", new Patch(null, null)),
                arguments("patch, cores and memory", new Patch(null, new CpuPatch(4), new MemoryPatch("64GB"), null)),
                arguments("patch, gpuCount absent", new Patch(new GpuPatch(null), null)),
                arguments("patch, both", new Patch(new GpuPatch(2), new VolumePatch(new Bind("/a", "/x"), new Bind("data", "/x")))),
                arguments("rollback", new Rollback(1L)),
                arguments("execute", new Execute("/root", List.of("nvidia-smi"))),
                arguments("execute, no workDir", new Execute(null, List.of("ls", "-l"))),
                arguments("execute, blank workDir", new Execute(" ", List.of("ls"))),
                arguments("commit", new Commit("registry.local:5000/team/foo-snap:v1")),
                arguments("volume create", new VolumeRequests.Create("data_1.x", "20GB")),
                arguments("volume create, no size", new VolumeRequests.Create("data", null)),
                arguments("volume create, blank size", new VolumeRequests.Create("data", "  ")),
                arguments("volume resize", new VolumeRequests.Resize("1.5TB")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validRequests")
    void validRequestsPass(String what, Object request) {
        assertThat(VALIDATOR.validate(request)).isEmpty();
    }

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                // replicaSetName
                arguments(withName(null), ErrorCode.REPLICASET_NAME_EMPTY, "replicaSetName", "replicaSetName cannot be empty"),
                arguments(withName(""), ErrorCode.REPLICASET_NAME_EMPTY, "replicaSetName", "replicaSetName cannot be empty"),
                arguments(withName("  "), ErrorCode.REPLICASET_NAME_EMPTY, "replicaSetName", "replicaSetName cannot be empty"),
                arguments(withName("foo-bar"), ErrorCode.REPLICASET_NAME_INVALID, "replicaSetName", "replicaSetName 'foo-bar' cannot contain '-'"),
                arguments(withName("foo/bar"), ErrorCode.REPLICASET_NAME_INVALID, "replicaSetName", "replicaSetName 'foo/bar' may only contain"),
                arguments(withName(".hidden"), ErrorCode.REPLICASET_NAME_INVALID, "replicaSetName", "'.hidden' may only contain"),
                arguments(withName("x".repeat(129)), ErrorCode.REPLICASET_NAME_INVALID, "replicaSetName", "at most 128 characters"),
                // imageName
                arguments(withImage(null), ErrorCode.IMAGE_NAME_EMPTY, "imageName", "imageName cannot be empty"),
                arguments(withImage(""), ErrorCode.IMAGE_NAME_EMPTY, "imageName", "imageName cannot be empty"),
                arguments(withImage("bad image!"), ErrorCode.INVALID_PARAMS, "imageName", "imageName 'bad image!' is not a valid image reference"),
                arguments(withImage("a".repeat(256)), ErrorCode.INVALID_PARAMS, "imageName", "is not a valid image reference"),
                // gpuCount
                arguments(withGpus(-1), ErrorCode.GPU_COUNT_INVALID, "gpuCount", "gpuCount must be >= 0, got -1"),
                arguments(withGpus(100000), ErrorCode.GPU_COUNT_INVALID, "gpuCount", "gpuCount 100000 is more GPUs than any host has"),
                // cores, memory, shared memory
                arguments(withCompute(-1, null, null), ErrorCode.CPU_COUNT_INVALID, "cpuCount", "cpuCount must be >= 0, got -1"),
                arguments(withCompute(100000, null, null), ErrorCode.CPU_COUNT_INVALID, "cpuCount", "100000 is more cores than any host has"),
                arguments(withCompute(null, "32G", null), ErrorCode.MEMORY_INVALID, "memory", "memory '32G' is invalid: expected a number followed by KB, MB, GB or TB"),
                arguments(withCompute(null, "-1GB", null), ErrorCode.MEMORY_INVALID, "memory", "'-1GB' is invalid"),
                arguments(withCompute(null, "2000TB", null), ErrorCode.MEMORY_INVALID, "memory", "larger than 1024TB"),
                arguments(withCompute(null, null, "lots"), ErrorCode.MEMORY_INVALID, "shmSize", "shmSize 'lots' is invalid"),
                arguments(new Patch(null, new CpuPatch(-2), null, null), ErrorCode.CPU_COUNT_INVALID, "cpuPatch.cpuCount", "cpuPatch.cpuCount must be >= 0, got -2"),
                arguments(new Patch(null, null, new MemoryPatch("8gb"), null), ErrorCode.MEMORY_INVALID, "memoryPatch.memory", "memoryPatch.memory '8gb' is invalid"),
                // binds
                arguments(withBinds(List.of(new Bind("/tmp", "/"))), ErrorCode.BIND_INVALID, "binds[0]", "binds[0] dest '/' would hide the system disk"),
                arguments(withBinds(List.of(new Bind("/tmp", "//"))), ErrorCode.BIND_INVALID, "binds[0]", "dest '//' would hide the system disk"),
                arguments(withBinds(List.of(new Bind("/a", "/x"), new Bind("/tmp", "rel"))), ErrorCode.BIND_INVALID, "binds[1]", "binds[1] dest 'rel' must be an absolute path"),
                arguments(withBinds(List.of(new Bind("/a", "/x"), new Bind("/b", "/x/"))), ErrorCode.BIND_INVALID, "binds", "binds mount dest '/x/' twice (entries 0 and 1)"),
                arguments(withBinds(List.of(new Bind("/a:rw", "/x"))), ErrorCode.BIND_INVALID, "binds[0]", "'/a:rw' -> '/x' contains ':', ',' or '..'"),
                arguments(withBinds(List.of(new Bind("/a,b", "/x"))), ErrorCode.BIND_INVALID, "binds[0]", "'/a,b' -> '/x' contains"),
                arguments(withBinds(List.of(new Bind("/a", "/x/../etc"))), ErrorCode.BIND_INVALID, "binds[0]", "'/a' -> '/x/../etc' contains"),
                arguments(withBinds(List.of(new Bind("", "/x"))), ErrorCode.BIND_INVALID, "binds[0]", "binds[0] needs a non-empty src and dest"),
                arguments(withBinds(List.of(new Bind("/x", null))), ErrorCode.BIND_INVALID, "binds[0]", "needs a non-empty src and dest"),
                arguments(withBinds(Collections.singletonList(null)), ErrorCode.BIND_INVALID, "binds[0]", "needs a non-empty src and dest"),
                arguments(withBinds(List.of(new Bind("bad name", "/x"))), ErrorCode.BIND_INVALID, "binds[0]", "src 'bad name' is neither an absolute host path nor a volume name"),
                arguments(withBinds(IntStream.range(0, 65).mapToObj(i -> new Bind("/a", "/x" + i)).toList()), ErrorCode.INVALID_PARAMS, "binds", "size must be between 0 and 64"),
                // env
                arguments(withEnv(List.of("A=1", "=1")), ErrorCode.INVALID_PARAMS, "env", "env entry '=1' must look like KEY=value"),
                arguments(withEnv(List.of("NOEQUALS")), ErrorCode.INVALID_PARAMS, "env", "entry 'NOEQUALS' must look like KEY=value"),
                arguments(withEnv(Arrays.asList("A=1", null)), ErrorCode.INVALID_PARAMS, "env", "entry 'null' must look like KEY=value"),
                // cmd
                arguments(withCmd(Arrays.asList("sleep", null)), ErrorCode.INVALID_PARAMS, "cmd", "cmd entries cannot be null"),
                // containerPorts
                arguments(withPorts(List.of("0")), ErrorCode.INVALID_PARAMS, "containerPorts", "containerPorts entry '0' must be a port 1-65535"),
                arguments(withPorts(List.of("70000")), ErrorCode.INVALID_PARAMS, "containerPorts", "entry '70000' must be a port 1-65535"),
                arguments(withPorts(List.of("ssh")), ErrorCode.INVALID_PARAMS, "containerPorts", "entry 'ssh' must be a port"),
                arguments(withPorts(List.of("22/icmp")), ErrorCode.INVALID_PARAMS, "containerPorts", "entry '22/icmp' must be a port"),
                arguments(withPorts(Arrays.asList("22", null)), ErrorCode.INVALID_PARAMS, "containerPorts", "entry 'null' must be a port"),
                arguments(withPorts(List.of("22", "22/tcp")), ErrorCode.INVALID_PARAMS, "containerPorts", "containerPorts entry '22/tcp' is listed twice"),
                // patch
                arguments(new Patch(new GpuPatch(-1), null), ErrorCode.GPU_COUNT_INVALID, "gpuPatch.gpuCount", "gpuPatch.gpuCount must be >= 0, got -1"),
                arguments(new Patch(null, new VolumePatch(null, new Bind("/b", "/x"))), ErrorCode.BIND_INVALID, "volumePatch.oldBind", "volumePatch.oldBind needs a non-empty src and dest"),
                arguments(new Patch(null, new VolumePatch(new Bind("/a", "/x"), new Bind("/b", "rel"))), ErrorCode.BIND_INVALID, "volumePatch.newBind", "volumePatch.newBind dest 'rel' must be an absolute path"),
                // rollback
                arguments(new Rollback(null), ErrorCode.VERSION_INVALID, "version", "version must be a number greater than 0, got null"),
                arguments(new Rollback(0L), ErrorCode.VERSION_INVALID, "version", "version must be a number greater than 0, got 0"),
                arguments(new Rollback(-3L), ErrorCode.VERSION_INVALID, "version", "got -3"),
                // execute
                arguments(new Execute(null, null), ErrorCode.INVALID_PARAMS, "cmd", "cmd must be a non-empty list of non-empty strings"),
                arguments(new Execute(null, List.of()), ErrorCode.INVALID_PARAMS, "cmd", "cmd must be a non-empty list of non-empty strings"),
                arguments(new Execute(null, List.of("ls", "")), ErrorCode.INVALID_PARAMS, "cmd", "non-empty strings"),
                arguments(new Execute(null, Arrays.asList("ls", null)), ErrorCode.INVALID_PARAMS, "cmd", "non-empty strings"),
                arguments(new Execute("etc", List.of("ls")), ErrorCode.INVALID_PARAMS, "workDir", "workDir 'etc' must be an absolute path"),
                // commit
                arguments(new Commit(null), ErrorCode.IMAGE_NAME_EMPTY, "newImageName", "newImageName cannot be empty"),
                arguments(new Commit(" "), ErrorCode.IMAGE_NAME_EMPTY, "newImageName", "newImageName cannot be empty"),
                arguments(new Commit("Foo Bar"), ErrorCode.INVALID_PARAMS, "newImageName", "newImageName 'Foo Bar' is not a valid image name"),
                arguments(new Commit("Bad Name!"), ErrorCode.INVALID_PARAMS, "newImageName", "'Bad Name!' is not a valid image name"),
                // volume name
                arguments(new VolumeRequests.Create(null, "1GB"), ErrorCode.VOLUME_NAME_EMPTY, "name", "name cannot be empty"),
                arguments(new VolumeRequests.Create("", "1GB"), ErrorCode.VOLUME_NAME_EMPTY, "name", "name cannot be empty"),
                arguments(new VolumeRequests.Create("/data", "1GB"), ErrorCode.VOLUME_NAME_SLASH, "name", "name '/data' must not begin with '/'"),
                arguments(new VolumeRequests.Create("my-data", "1GB"), ErrorCode.VOLUME_NAME_INVALID, "name", "name 'my-data' cannot contain '-'"),
                arguments(new VolumeRequests.Create("my data", "1GB"), ErrorCode.VOLUME_NAME_INVALID, "name", "name 'my data' may only contain"),
                arguments(new VolumeRequests.Create(".data", "1GB"), ErrorCode.VOLUME_NAME_INVALID, "name", "'.data' may only contain"),
                // volume size
                arguments(new VolumeRequests.Create("data", "20XB"), ErrorCode.VOLUME_SIZE_INVALID, "size", "size '20XB' is invalid: expected a positive number"),
                arguments(new VolumeRequests.Create("data", "0"), ErrorCode.VOLUME_SIZE_INVALID, "size", "size '0' is invalid"),
                arguments(new VolumeRequests.Create("data", "0GB"), ErrorCode.VOLUME_SIZE_INVALID, "size", "size '0GB' is invalid: the size must be greater than zero"),
                arguments(new VolumeRequests.Create("data", "1025TB"), ErrorCode.VOLUME_SIZE_INVALID, "size", "size '1025TB' is invalid: the size is larger than 1024TB"),
                arguments(new VolumeRequests.Resize(null), ErrorCode.VOLUME_SIZE_INVALID, "size", "size '' is invalid: it is empty"),
                arguments(new VolumeRequests.Resize(" "), ErrorCode.VOLUME_SIZE_INVALID, "size", "size ' ' is invalid: it is empty"),
                arguments(new VolumeRequests.Resize("1.5.GB"), ErrorCode.VOLUME_SIZE_INVALID, "size", "size '1.5.GB' is invalid"));
    }

    @ParameterizedTest(name = "{1} at {2}: {3}")
    @MethodSource("invalidRequests")
    void eachRuleAnswersWithItsCodeAndNamesFieldAndValue(Object request, ErrorCode code, String field, String message) {
        ConstraintViolation<Object> violation = onlyViolation(request);
        assertThat(ValidationFailure.codeOf(violation)).isEqualTo(code == ErrorCode.INVALID_PARAMS && isGeneric(violation) ? null : code);
        assertThat(PropertyPaths.field(violation)).isEqualTo(field);
        assertThat(Rejection.describe(field, violation.getMessage())).contains(message);
    }

    /** A plain Bean Validation constraint (the list sizes) carries no code: the handler answers it with 1000. */
    private static boolean isGeneric(ConstraintViolation<?> violation) {
        return violation.getConstraintDescriptor().getAnnotation().annotationType().getPackageName().startsWith("jakarta.validation");
    }

    private static ConstraintViolation<Object> onlyViolation(Object request) {
        Set<ConstraintViolation<Object>> violations = VALIDATOR.validate(request);
        assertThat(violations).as("violations of %s", request).hasSize(1);
        return violations.iterator().next();
    }

    // ---- messages quote user input literally ----------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("templateLookalikes")
    void userInputIsNeverInterpolated(String name) {
        ConstraintViolation<Object> violation = onlyViolation(withName(name));
        assertThat(violation.getMessage()).startsWith("'" + name + "' ");
    }

    static Stream<String> templateLookalikes() {
        return Stream.of("${1+1}", "{jakarta.validation.constraints.NotNull.message}", "a\\b", "{min}", "$x}", "\\{x\\}", "#{1}");
    }

    // ---- on a method parameter, as on a path variable -------------------------------------------------

    static final class Endpoints {
        public void get(@ReplicaSetName String name) {}

        public void volume(@VolumeName String name) {}
    }

    @Test
    void constraintsWorkOnMethodParameters() throws Exception {
        var get = Endpoints.class.getMethod("get", String.class);
        var volume = Endpoints.class.getMethod("volume", String.class);
        var executables = VALIDATOR.forExecutables();
        assertThat(executables.validateParameters(new Endpoints(), get, new Object[] {"foo"})).isEmpty();

        ConstraintViolation<Endpoints> dashed = executables.validateParameters(new Endpoints(), get, new Object[] {"a-b"}).iterator().next();
        assertThat(ValidationFailure.codeOf(dashed)).isEqualTo(ErrorCode.REPLICASET_NAME_INVALID);
        assertThat(PropertyPaths.field(dashed)).isEqualTo("name");
        assertThat(dashed.getMessage()).contains("'a-b' cannot contain '-'");

        ConstraintViolation<Endpoints> slashed = executables.validateParameters(new Endpoints(), volume, new Object[] {"/data"}).iterator().next();
        assertThat(ValidationFailure.codeOf(slashed)).isEqualTo(ErrorCode.VOLUME_NAME_SLASH);
    }

    // ---- the checks that need the host answer like the annotations ----------------------------------------------

    @Test
    void hostChecksAnswerLikeTheAnnotations() {
        assertRaises(ErrorCode.GPU_COUNT_INVALID, "gpuCount must be >= 0, got -1", () -> SpecValidator.gpuCount(-1, 8));
        assertRaises(ErrorCode.GPU_COUNT_INVALID, "gpuCount 9 exceeds the 8 GPU(s) this host has", () -> SpecValidator.gpuCount(9, 8));
        assertRaises(ErrorCode.BIND_INVALID, "binds mount dest '/x/' twice",
                () -> SpecValidator.binds(List.of(new Bind("/a", "/x"), new Bind("/b", "/x/"))));
        assertRaises(ErrorCode.INVALID_PARAMS, "containerPorts entry 'ssh'", () -> SpecValidator.containerPorts(List.of("ssh")));
        assertRaises(ErrorCode.VOLUME_SIZE_INVALID, "size '20XB' is invalid", () -> VolumeSize.parse("20XB"));
        assertThat(SpecValidator.gpuCount(null, 8)).isZero();
        assertThat(SpecValidator.containerPorts(List.of("22", " 53/udp "))).containsExactly("22/tcp", "53/udp");
    }

    private static void assertRaises(ErrorCode code, String message, Executable call) {
        assertThatThrownBy(call::execute).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
