package io.dcloud.cli.common;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A noun whose subcommands hold its verbs ({@code dcloud data ls}) and which, alone, runs one of them
 * with what it was given: {@code dcloud data -o json} lists as JSON, as {@code dcloud services -o json}
 * does. What is neither an option nor a verb is the usage error it would be without this.
 */
public abstract class Noun extends Subcommand {
  @Unmatched
  List<String> forTheVerb = new ArrayList<>();

  /** Runs {@code verb} with the options the noun was given: what the noun alone does. */
  protected final int runByDefault(String verb) {
    if (!forTheVerb.isEmpty() && !forTheVerb.get(0).startsWith("-")) {
      throw new UnmatchedArgumentException(spec.commandLine(), forTheVerb);
    }
    return spec.subcommands().get(verb).execute(forTheVerb.toArray(String[]::new));
  }
}
