package dev.doorbell.app.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests of packaging/k8s, checked offline against the API's schema and against each other. No
 * cluster is reachable here, and {@code kubectl apply --dry-run=client} validates only with a server's OpenAPI
 * document (without one it fails: "failed to download openapi"), so each object is read by the official Java
 * client's models, generated from the OpenAPI schema of Kubernetes 1.32: an unknown or misspelled field, a missing
 * required one or a value of the wrong type is refused, naming the field. Then what the schema cannot see: the probes
 * ask the uplink's {@code --metrics} port for the paths it serves, the store is the claimed volume, the Job's shards
 * match its completions, and the images are those the {@code image} profile builds.
 */
class KubernetesManifestsTest {
    private static final Path K8S = root().resolve("packaging/k8s");
    private static final int IMAGE_USER = 65532;

    private static Path root() {
        String property = System.getProperty("doorbell.root");
        return property != null
                ? Path.of(property)
                : Path.of("..").toAbsolutePath().normalize();
    }

    /** One object of a manifest file: its kind and its fields as YAML read them. */
    record ManifestObject(Path file, String kind, Map<String, Object> fields) {
        String json() {
            return new Gson().toJson(fields);
        }

        String where() {
            return K8S.relativize(file) + " " + kind + " " + ((Map<?, ?>) fields.get("metadata")).get("name");
        }
    }

    private static List<ManifestObject> objects(String fileName) throws IOException {
        Path file = K8S.resolve(fileName);
        List<ManifestObject> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader)) {
                if (document == null) {
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = new LinkedHashMap<>((Map<String, Object>) document);
                objects.add(new ManifestObject(file, (String) fields.get("kind"), fields));
            }
        }
        return objects;
    }

    /** Reads the object with the schema of its kind: throws naming the field that does not fit. */
    private static Object checked(ManifestObject object) throws IOException {
        String json = object.json();
        return switch (object.kind()) {
            case "Service" -> V1Service.fromJson(json);
            case "StatefulSet" -> V1StatefulSet.fromJson(json);
            case "NetworkPolicy" -> V1NetworkPolicy.fromJson(json);
            case "Job" -> V1Job.fromJson(json);
            default -> throw new AssertionError(object.where() + ": no schema here for kind " + object.kind());
        };
    }

    private static <T> T only(List<ManifestObject> objects, Class<T> type) throws IOException {
        List<T> found = new ArrayList<>();
        for (ManifestObject object : objects) {
            Object model = checked(object);
            if (type.isInstance(model)) {
                found.add(type.cast(model));
            }
        }
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " expected");
        return found.get(0);
    }

    @Test
    void everyObjectOfEveryManifestFitsTheApiSchema() throws IOException {
        List<String> files;
        try (var listing = Files.list(K8S)) {
            files = listing.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        }
        assertEquals(List.of("fleet-job.yaml", "uplink.yaml"), files);
        int count = 0;
        for (String file : files) {
            for (ManifestObject object : objects(file)) {
                try {
                    assertNotNull(checked(object));
                } catch (IllegalArgumentException | IOException e) {
                    fail(object.where() + ": " + e.getMessage());
                }
                count++;
            }
        }
        assertEquals(5, count, "Services, StatefulSet, NetworkPolicy, Job");
    }

    /** The check can fail: a misspelled probe, a missing required field and a wrong type are each refused. */
    @Test
    @SuppressWarnings("unchecked")
    void theSchemaCheckRefusesWhatKubernetesWouldRefuse() throws IOException {
        ManifestObject statefulSet = objects("uplink.yaml").stream()
                .filter(o -> o.kind().equals("StatefulSet"))
                .findFirst()
                .orElseThrow();
        Map<String, Object> container = firstContainer(statefulSet.fields());
        container.put("livenesProbe", container.remove("livenessProbe"));
        IllegalArgumentException misspelled = assertThrows(IllegalArgumentException.class, () -> checked(statefulSet));
        assertTrue(misspelled.getMessage().contains("`livenesProbe`"), misspelled.getMessage());

        ManifestObject again = objects("uplink.yaml").stream()
                .filter(o -> o.kind().equals("StatefulSet"))
                .findFirst()
                .orElseThrow();
        firstContainer(again.fields()).remove("name");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> checked(again));
        assertTrue(missing.getMessage().contains("`name`"), missing.getMessage());

        ManifestObject job = objects("fleet-job.yaml").get(0);
        ((Map<String, Object>) job.fields().get("spec")).put("completions", "eight");
        assertThrows(RuntimeException.class, () -> checked(job));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstContainer(Map<String, Object> workload) {
        Map<String, Object> template =
                (Map<String, Object>) ((Map<String, Object>) workload.get("spec")).get("template");
        List<Object> containers = (List<Object>) ((Map<String, Object>) template.get("spec")).get("containers");
        return (Map<String, Object>) containers.get(0);
    }

    @Test
    void theUplinkIsProbedOnItsOperationsPortAndStoresOnItsClaimedVolume() throws IOException {
        List<ManifestObject> uplink = objects("uplink.yaml");
        V1StatefulSet statefulSet = only(uplink, V1StatefulSet.class);
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        V1Container container = pod.getContainers().get(0);
        List<String> args = container.getArgs();
        assertEquals("serve", args.get(0));
        assertTrue(container.getImage().startsWith("doorbell-uplink:"), container.getImage());

        // --metrics must bind beyond loopback, or the kubelet's probes and Prometheus cannot reach it.
        String metrics = argument(args, "--metrics");
        Matcher address = Pattern.compile("0\\.0\\.0\\.0:(\\d+)").matcher(metrics);
        assertTrue(address.matches(), "--metrics " + metrics);
        int metricsPort = Integer.parseInt(address.group(1));
        assertEquals(metricsPort, containerPort(container, "metrics"));
        assertEquals(Integer.parseInt(argument(args, "--port")), containerPort(container, "devices"));

        assertProbe(container.getStartupProbe(), "/healthz", container, metricsPort);
        assertProbe(container.getLivenessProbe(), "/healthz", container, metricsPort);
        assertProbe(container.getReadinessProbe(), "/readyz", container, metricsPort);

        // The store (--data) is the volume of the claim template, so that it follows the replica; TLS a secret.
        String claim = statefulSet
                .getSpec()
                .getVolumeClaimTemplates()
                .get(0)
                .getMetadata()
                .getName();
        assertEquals(argument(args, "--data"), mountPathOf(container, claim));
        String tlsVolume = volumeAt(container, argument(args, "--tls"));
        V1Volume tls = pod.getVolumes().stream()
                .filter(v -> v.getName().equals(tlsVolume))
                .findFirst()
                .orElseThrow();
        assertNotNull(tls.getSecret(), "--tls is mounted from a Secret");
        assertEquals(
                "Retain",
                statefulSet.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted());

        assertRunsAsTheImageUser(pod, container);

        // The Services reach these pods on the named ports; the headless one is the StatefulSet's.
        Map<String, String> podLabels =
                statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        List<V1Service> services = new ArrayList<>();
        for (ManifestObject object : uplink) {
            if (checked(object) instanceof V1Service service) {
                services.add(service);
            }
        }
        assertEquals(2, services.size());
        for (V1Service service : services) {
            assertEquals(
                    podLabels,
                    service.getSpec().getSelector(),
                    service.getMetadata().getName());
        }
        V1Service devices = services.stream()
                .filter(s -> s.getMetadata().getName().equals("uplink"))
                .findFirst()
                .orElseThrow();
        assertEquals(7443, devices.getSpec().getPorts().get(0).getPort(), "docs/FLEET.md's --uplink uplink:7443");
        assertTrue(services.stream()
                .anyMatch(s ->
                        s.getMetadata().getName().equals(statefulSet.getSpec().getServiceName())
                                && "None".equals(s.getSpec().getClusterIP())));

        V1NetworkPolicy policy = only(uplink, V1NetworkPolicy.class);
        assertEquals(podLabels, policy.getSpec().getPodSelector().getMatchLabels());
        assertTrue(policy.getSpec().getIngress().stream()
                .anyMatch(rule -> (rule.getFrom() == null || rule.getFrom().isEmpty())
                        && rule.getPorts().stream()
                                .anyMatch(p -> "devices".equals(p.getPort().getStrValue()))));
    }

    /**
     * The S3 shipper runs beside the uplink on the same store volume, on its own image, probed for liveness on its
     * operations port, with S3 credentials from a Secret; and never for readiness, which would take the uplink out of
     * its Service whenever S3 is down (a pod is Ready only when all its containers are).
     */
    @Test
    void theShipperSidecarSharesTheStoreAndIsProbedOnItsOperationsPort() throws IOException {
        List<ManifestObject> uplink = objects("uplink.yaml");
        V1StatefulSet statefulSet = only(uplink, V1StatefulSet.class);
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        V1Container server = pod.getContainers().get(0);
        V1Container shipper = pod.getContainers().stream()
                .filter(c -> c.getName().equals("shipper"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no shipper container"));
        assertTrue(shipper.getImage().startsWith("doorbell-shipper:"), shipper.getImage());
        List<String> args = shipper.getArgs();
        assertTrue(argument(args, "--to").startsWith("s3://"), "--to " + argument(args, "--to"));
        assertTrue(args.contains("--wait-for-store"), "on a new volume the uplink makes the store: " + args);

        // The same store: the claim's volume at the path the uplink's --data names.
        String claim = statefulSet
                .getSpec()
                .getVolumeClaimTemplates()
                .get(0)
                .getMetadata()
                .getName();
        assertEquals(argument(server.getArgs(), "--data"), argument(args, "--data"));
        assertEquals(argument(args, "--data"), mountPathOf(shipper, claim));

        String metrics = argument(args, "--metrics");
        Matcher address = Pattern.compile("0\\.0\\.0\\.0:(\\d+)").matcher(metrics);
        assertTrue(address.matches(), "--metrics " + metrics);
        int metricsPort = Integer.parseInt(address.group(1));
        assertEquals(metricsPort, containerPort(shipper, "ship-metrics"));
        assertFalse(
                server.getPorts().stream().anyMatch(p -> p.getContainerPort() == metricsPort),
                "the shipper's port is not one of the uplink's");
        assertProbe(shipper.getStartupProbe(), "/healthz", shipper, metricsPort);
        assertProbe(shipper.getLivenessProbe(), "/healthz", shipper, metricsPort);
        assertEquals(null, shipper.getReadinessProbe(), "a shipper not ready must not make the uplink's pod unready");

        // Credentials from a Secret, never literal values in the manifest.
        for (String variable : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            V1EnvVar env = shipper.getEnv().stream()
                    .filter(e -> e.getName().equals(variable))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(variable + " not set"));
            assertEquals(null, env.getValue(), variable + " is not written in the manifest");
            assertNotNull(env.getValueFrom().getSecretKeyRef(), variable + " comes from a Secret");
        }
        assertRunsAsTheImageUser(pod, shipper);
        assertFalse(
                volumeMountedAt(shipper, "/tmp").equals(volumeMountedAt(server, "/tmp")),
                "each JVM its own /tmp (both may be PID 1)");

        // Prometheus reaches it through the Service, and the NetworkPolicy lets the monitoring namespace in.
        assertTrue(uplinkServicePorts(uplink).contains("ship-metrics"));
        V1NetworkPolicy policy = only(uplink, V1NetworkPolicy.class);
        assertTrue(policy.getSpec().getIngress().stream()
                .filter(rule -> rule.getFrom() != null && !rule.getFrom().isEmpty())
                .anyMatch(rule -> rule.getPorts().stream()
                        .anyMatch(p -> "ship-metrics".equals(p.getPort().getStrValue()))));
    }

    private static List<String> uplinkServicePorts(List<ManifestObject> objects) throws IOException {
        for (ManifestObject object : objects) {
            if (checked(object) instanceof V1Service service
                    && service.getMetadata().getName().equals("uplink")) {
                return service.getSpec().getPorts().stream()
                        .map(p -> p.getTargetPort().getStrValue())
                        .toList();
            }
        }
        throw new AssertionError("no Service uplink");
    }

    @Test
    void theFleetJobRunsOneShardPerIndexOnTheDoorbellImage() throws IOException {
        V1Job job = only(objects("fleet-job.yaml"), V1Job.class);
        assertEquals("Indexed", job.getSpec().getCompletionMode());
        V1PodSpec pod = job.getSpec().getTemplate().getSpec();
        V1Container container = pod.getContainers().get(0);
        assertEquals("doorbell:latest", container.getImage(), "the image docs/FLEET.md names");
        List<String> args = container.getArgs();
        assertEquals("fleet", args.get(0));

        // The image has no shell: $(JOB_COMPLETION_INDEX) is expanded by Kubernetes from a declared variable.
        Matcher shard = Pattern.compile("\\$\\(JOB_COMPLETION_INDEX\\)/(\\d+)").matcher(argument(args, "--shard"));
        assertTrue(shard.matches(), "--shard " + argument(args, "--shard"));
        int shards = Integer.parseInt(shard.group(1));
        assertEquals(shards, job.getSpec().getCompletions());
        assertEquals(shards, job.getSpec().getParallelism());
        assertTrue(argument(args, "--report").contains("$(JOB_COMPLETION_INDEX)"), "one report per shard");
        V1EnvVar index = container.getEnv().stream()
                .filter(e -> e.getName().equals("JOB_COMPLETION_INDEX"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                index.getValueFrom().getFieldRef().getFieldPath());

        String fleetDir = argument(args, "--fleet-dir");
        V1VolumeMount fleet = container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(fleetDir))
                .findFirst()
                .orElseThrow();
        assertTrue(fleet.getReadOnly(), "the shards share one provisioned fleet, read-only");
        assertTrue(argument(args, "--report").startsWith(mountPathOf(container, "reports") + "/"));
        assertEquals("Never", pod.getRestartPolicy());
        assertRunsAsTheImageUser(pod, container);
    }

    private static void assertRunsAsTheImageUser(V1PodSpec pod, V1Container container) {
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(IMAGE_USER, pod.getSecurityContext().getRunAsUser());
        assertEquals(IMAGE_USER, pod.getSecurityContext().getFsGroup());
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(
                List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
        // A read-only root still needs a writable /tmp (the JVM's and Netty's temporary files).
        assertNotNull(volumeMountedAt(container, "/tmp"), "/tmp mounted");
        assertNotNull(container.getResources().getLimits().get("memory"), "a memory limit bounds the heap");
    }

    private static void assertProbe(V1Probe probe, String path, V1Container container, int port) {
        assertNotNull(probe, path + " probe");
        V1HTTPGetAction get = probe.getHttpGet();
        assertEquals(path, get.getPath());
        int probed = get.getPort().isInteger()
                ? get.getPort().getIntValue()
                : containerPort(container, get.getPort().getStrValue());
        assertEquals(port, probed, path + " on the --metrics port");
    }

    private static String argument(List<String> args, String option) {
        int at = args.indexOf(option);
        assertTrue(at >= 0 && at + 1 < args.size(), option + " in " + args);
        return args.get(at + 1);
    }

    private static int containerPort(V1Container container, String name) {
        return container.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .map(V1ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static String mountPathOf(V1Container container, String volume) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume))
                .map(V1VolumeMount::getMountPath)
                .findFirst()
                .orElseThrow(() -> new AssertionError("volume " + volume + " not mounted"));
    }

    private static String volumeAt(V1Container container, String path) {
        String volume = volumeMountedAt(container, path);
        assertNotNull(volume, "nothing mounted at " + path);
        return volume;
    }

    /** The name of the volume mounted at {@code path}, or null. */
    private static String volumeMountedAt(V1Container container, String path) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .map(V1VolumeMount::getName)
                .findFirst()
                .orElse(null);
    }
}
