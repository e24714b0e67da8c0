package io.dcloud.cli.env;

import io.dcloud.cli.common.ApiClient;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env wait ID --for running|stopped|deleted}: follows an environment until it gets there,
 * as {@code kubectl wait --for} does, for a script that created it with {@code --detach} or changed it
 * from elsewhere. Exit 7 with the reason when it ends elsewhere (FAILED, say); 1 past {@code --timeout}.
 */
@Command(name = "wait", description = "Wait until the environment is RUNNING, STOPPED or DELETED (--for), with a progress line on stderr")
final class EnvWaitCommand extends EnvironmentCommand implements Callable<Integer> {
  /** The statuses a script waits for: those an environment stays in by itself. */
  enum Wanted {
    RUNNING(EnvProgress.Goal.RUNNING),
    STOPPED(EnvProgress.Goal.STOPPED),
    DELETED(EnvProgress.Goal.DELETED);

    private final EnvProgress.Goal goal;

    Wanted(EnvProgress.Goal goal) {
      this.goal = goal;
    }
  }

  @Option(names = "--for", paramLabel = "STATUS", defaultValue = "running", converter = WantedConverter.class,
      description = "running (default), stopped or deleted")
  Wanted wanted;

  @Mixin
  FollowTimeout following;

  @Override
  public Integer call() {
    ApiClient client = client();
    return new EnvProgress(io(), client).within(following.timeout).follow(id(), client.get(path()), wanted.goal);
  }

  /** Any case, as the user types it. */
  static final class WantedConverter implements picocli.CommandLine.ITypeConverter<Wanted> {
    @Override
    public Wanted convert(String value) {
      try {
        return Wanted.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException unknown) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a status to wait for: use running, stopped or deleted");
      }
    }
  }
}
