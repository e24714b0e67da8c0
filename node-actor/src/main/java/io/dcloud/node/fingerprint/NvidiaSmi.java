package io.dcloud.node.fingerprint;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.dcloud.resources.GpuDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the NVIDIA GPUs of this machine by running {@code nvidia-smi}, the way Nomad's and the
 * Kubernetes device plugin's inventories do: one entry per GPU, keyed by UUID, which is what Docker
 * takes as {@code deviceIds}.
 *
 * <p>A machine without GPUs is the common case, not an error: a missing binary, a driver that is
 * not loaded, a tool that hangs all give an empty list and one log line saying why.
 *
 * <p>MIG: with MIG mode on, {@code --query-gpu} still prints one line per <em>physical</em> GPU,
 * with its {@code GPU-} UUID; the MIG instances ({@code MIG-} UUIDs) appear only in {@code
 * nvidia-smi -L} and the table view. What changes in this query is that {@code utilization.gpu}
 * (and, on some drivers, the memory columns) read {@code [N/A]}. Those are unknown values, never a
 * reason to drop the GPU. Lines that do carry a MIG UUID (both the R470+ {@code MIG-<uuid>} and the
 * older {@code MIG-GPU-<uuid>/<gi>/<ci>} forms) are accepted as devices in their own right.
 */
public final class NvidiaSmi {

  private static final Logger log = LoggerFactory.getLogger(NvidiaSmi.class);

  /** One CSV line per GPU, no header, numbers without units: the only format {@link #parse} reads. */
  public static final List<String> QUERY_ARGUMENTS =
      List.of(
          "--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu",
          "--format=csv,noheader,nounits");

  // Column positions, in the order of QUERY_ARGUMENTS.
  private static final int INDEX_COLUMN = 0;
  private static final int UUID_COLUMN = 1;
  private static final int NAME_COLUMN = 2;
  /**
   * memory.total, memory.used, utilization.gpu follow the name; counting them from the end lets a
   * name that holds a comma stay whole.
   */
  private static final int COLUMNS_AFTER_NAME = 3;

  private static final int EXPECTED_COLUMNS = NAME_COLUMN + 1 + COLUMNS_AFTER_NAME;

  /**
   * Unbracketed "not available", as printed by some drivers; the others bracket every unknown value
   * ([N/A], [Not Supported], [Unknown Error], [Insufficient Permissions], [GPU requires reset]...).
   */
  private static final String NOT_AVAILABLE = "N/A";

  /** Without {@code nounits} the memory columns carry this suffix; tolerated so a hand-run query still parses. */
  private static final String MIB_SUFFIX = "MiB";

  /**
   * A device UUID as nvidia-smi prints it: {@code GPU-<uuid>} for a physical GPU, {@code MIG-<uuid>}
   * (driver R470+) or {@code MIG-GPU-<uuid>/<gi>/<ci>} (R450) for a MIG instance.
   */
  private static final Pattern DEVICE_UUID = Pattern.compile("(GPU|MIG)-[0-9A-Za-z/-]+");

  /** After a forced kill, how long to wait for the OS to reap the child before returning anyway. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(2);

  /** How much of the tool's own output to quote when explaining a failure: its first line says why. */
  private static final int MAX_QUOTED_CHARS = 200;

  private NvidiaSmi() {}

  /**
   * The GPUs listed in the output of {@code nvidia-smi} run with {@link #QUERY_ARGUMENTS}, in the
   * tool's order. Unknown values ({@code [N/A]}, {@code [Not Supported]}, {@code N/A}, blank) become
   * null; a line without a usable index or UUID is skipped and the reason logged.
   */
  public static List<GpuDevice> parse(String csvOutput) {
    List<GpuDevice> gpus = new ArrayList<>();
    Set<String> seenUuids = new HashSet<>();
    String[] lines = csvOutput.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      int lineNumber = i + 1;
      parseLine(line, lineNumber)
          .ifPresent(
              gpu -> {
                // Allocation is by UUID: a second line with the same UUID would hand one GPU out twice.
                if (seenUuids.add(gpu.uuid())) {
                  gpus.add(gpu);
                } else {
                  skip(lineNumber, line, "UUID " + gpu.uuid() + " already listed");
                }
              });
    }
    return List.copyOf(gpus);
  }

  /**
   * Runs {@code binary} with {@link #QUERY_ARGUMENTS} and parses its output. Returns an empty list,
   * after logging one line that says why, when the binary is missing or cannot run, exits non-zero
   * (e.g. status 9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"),
   * or does not finish within {@code timeout} (then it is killed, with any children it started).
   */
  public static List<GpuDevice> discover(Path binary, Duration timeout) {
    // A bare name ("nvidia-smi") is looked up on PATH by the OS; only an explicit path can be checked here.
    if (binary.getParent() != null && !Files.exists(binary)) {
      log.info("No GPUs: {} is not installed", binary);
      return List.of();
    }
    Path output;
    try {
      // A file, not a pipe: nothing to drain while waiting, and a grandchild that inherited the
      // descriptor cannot keep a reader blocked after the tool itself is killed.
      output = Files.createTempFile("dcloud-nvidia-smi-", ".out");
    } catch (IOException e) {
      log.warn("No GPUs reported: cannot create a file for the output of {}: {}", binary, e.toString());
      return List.of();
    }
    try {
      return run(binary, timeout, output);
    } finally {
      deleteQuietly(output);
    }
  }

  private static List<GpuDevice> run(Path binary, Duration timeout, Path output) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(QUERY_ARGUMENTS);
    Process process;
    try {
      // The driver's complaints go to stdout on some versions and stderr on others: keep both for the log.
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    } catch (IOException e) {
      log.info("No GPUs: cannot run {}: {}", binary, e.getMessage());
      return List.of();
    }
    closeQuietly(process);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killWithDescendants(process);
        log.warn("No GPUs reported: {} did not finish within {} and was killed", binary, timeout);
        return List.of();
      }
    } catch (InterruptedException e) {
      killWithDescendants(process);
      Thread.currentThread().interrupt();
      log.warn("No GPUs reported: interrupted while waiting for {}, which was killed", binary);
      return List.of();
    }
    String text;
    try {
      // Decoded leniently: a stray byte in a driver message must not turn into an exception.
      text = new String(Files.readAllBytes(output), UTF_8);
    } catch (IOException e) {
      log.warn("No GPUs reported: cannot read the output of {}: {}", binary, e.toString());
      return List.of();
    }
    int status = process.exitValue();
    if (status != 0) {
      log.warn("No GPUs reported: {} exited with status {}: {}", binary, status, firstLine(text));
      return List.of();
    }
    List<GpuDevice> gpus = parse(text);
    log.info("{} reported {} GPU(s){}", binary, gpus.size(), describe(gpus));
    return gpus;
  }

  private static Optional<GpuDevice> parseLine(String line, int lineNumber) {
    String[] columns = line.split(",", -1);
    if (columns.length < EXPECTED_COLUMNS) {
      return skip(
          lineNumber, line, "expected " + EXPECTED_COLUMNS + " comma-separated columns, found " + columns.length);
    }
    String indexText = columns[INDEX_COLUMN].strip();
    if (isUnknown(indexText)) {
      return skip(lineNumber, line, "no index");
    }
    int index;
    try {
      index = Integer.parseInt(indexText);
    } catch (NumberFormatException e) {
      return skip(lineNumber, line, "index '" + indexText + "' is not a number");
    }
    if (index < 0) {
      return skip(lineNumber, line, "index " + index + " is negative");
    }
    String uuid = columns[UUID_COLUMN].strip();
    if (isUnknown(uuid)) {
      return skip(lineNumber, line, "no UUID");
    }
    if (!DEVICE_UUID.matcher(uuid).matches()) {
      return skip(lineNumber, line, "'" + uuid + "' is not a GPU- or MIG- UUID");
    }
    int memoryTotalColumn = columns.length - COLUMNS_AFTER_NAME;
    String name = String.join(",", List.of(columns).subList(NAME_COLUMN, memoryTotalColumn)).strip();
    Long memoryTotalMiB = mebibytes(columns[memoryTotalColumn], lineNumber);
    return Optional.of(new GpuDevice(index, uuid, isUnknown(name) ? null : name, memoryTotalMiB));
  }

  /** A memory column in MiB, or null when nvidia-smi could not tell (which is not a reason to drop the GPU). */
  private static Long mebibytes(String column, int lineNumber) {
    String text = column.strip();
    if (text.endsWith(MIB_SUFFIX)) {
      text = text.substring(0, text.length() - MIB_SUFFIX.length()).strip();
    }
    if (isUnknown(text)) {
      return null;
    }
    try {
      long value = Long.parseLong(text);
      return value >= 0 ? value : null;
    } catch (NumberFormatException e) {
      log.debug("nvidia-smi line {}: memory '{}' is not a number, treated as unknown", lineNumber, text);
      return null;
    }
  }

  private static boolean isUnknown(String value) {
    return value.isEmpty()
        || value.equalsIgnoreCase(NOT_AVAILABLE)
        || (value.startsWith("[") && value.endsWith("]"));
  }

  private static Optional<GpuDevice> skip(int lineNumber, String line, String reason) {
    log.warn("Skipping nvidia-smi line {} ({}): {}", lineNumber, reason, quote(line));
    return Optional.empty();
  }

  private static void killWithDescendants(Process process) {
    // Snapshot first: once the tool dies its children are re-parented and no longer its descendants.
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("nvidia-smi (pid {}) still not gone {} after being killed", process.pid(), KILL_GRACE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The tool reads nothing: close its stdin so it cannot wait on us. */
  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      log.debug("Closing the stdin of nvidia-smi failed", e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("Cannot delete {}", file, e);
    }
  }

  private static String firstLine(String text) {
    return text.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .findFirst()
        .map(NvidiaSmi::quote)
        .orElse("(no output)");
  }

  private static String quote(String text) {
    return text.length() <= MAX_QUOTED_CHARS ? text : text.substring(0, MAX_QUOTED_CHARS) + "...";
  }

  private static String describe(List<GpuDevice> gpus) {
    if (gpus.isEmpty()) {
      return "";
    }
    return gpus.stream()
        .map(g -> g.index() + "=" + g.name() + " " + g.uuid())
        .collect(Collectors.joining(", ", ": ", ""));
  }
}
