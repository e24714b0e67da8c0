package io.dcloud.cli;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud completion bash}: bash's completion of the CLI's nouns, verbs, options and their fixed
 * values (output formats), as {@code kubectl completion bash} prints its own, to source from a shell's
 * startup file; and where a verb takes a thing's name or id first, the names of the caller's things,
 * asked of the gateway at the TAB ({@link CompletionNames}). Made from the commands themselves (picocli
 * writes the first part), so it never lags a new verb. The shell is an argument so that another can be
 * added without breaking a startup file.
 */
@Command(name = "completion", description = "Print bash's completion script: source <(dcloud completion bash)")
final class CompletionCommand extends Subcommand implements Callable<Integer> {
  enum Shell { bash }

  /** The labels of a first argument that names one of a noun's things. */
  private static final Set<String> NAMED = Set.of("ID", "NAME", "CATEGORY/DB/NAME");

  @Parameters(paramLabel = "SHELL", description = "bash")
  Shell shell;

  @Override
  public Integer call() {
    CommandSpec root = spec.root();
    io().out().print(AutoComplete.bash(root.name(), root.commandLine()));
    io().out().print(namesPart(root));
    return ExitCodes.OK;
  }

  /**
   * A function around picocli's that offers names where a verb's first argument is one: which verbs
   * those are, and which of their options take a value (so that a value is not taken for the name),
   * are read from the commands.
   */
  static String namesPart(CommandSpec root) {
    StringBuilder named = new StringBuilder();
    StringBuilder valued = new StringBuilder();
    StringBuilder many = new StringBuilder();
    for (Map.Entry<String, CommandLine> noun : root.subcommands().entrySet()) {
      if (!CompletionNames.LISTINGS.containsKey(noun.getKey())) {
        continue;
      }
      for (Map.Entry<String, CommandLine> verb : noun.getValue().getSubcommands().entrySet()) {
        CommandSpec command = verb.getValue().getCommandSpec();
        PositionalParamSpec first = command.positionalParameters().stream()
            .filter(parameter -> parameter.index().min() == 0).findFirst().orElse(null);
        boolean takesAName = first != null && NAMED.contains(first.paramLabel());
        // A create names a thing that does not exist yet: the existing names are no help there.
        if (!takesAName || command.name().equals("create")) {
          continue;
        }
        String words = noun.getKey() + " " + verb.getKey();
        if (first.arity().max() > 1) {
          // env rm a b: a name after a name.
          many.append("  [\"").append(words).append("\"]=1\n");
        }
        named.append("  [\"").append(words).append("\"]=\"").append(noun.getKey()).append("\"\n");
        valued.append("  [\"").append(words).append("\"]=\"").append(command.options().stream()
            .filter(option -> option.arity().max() > 0)
            .flatMap(option -> Arrays.stream(option.names()))
            .sorted()
            .collect(Collectors.joining(" "))).append("\"\n");
      }
    }
    String name = root.name();
    return """

        # Names and ids where a verb takes one first (or several, where it takes several), asked of the
        # gateway signed in to at the TAB (%1$s __names NOUN, which prints nothing when it cannot answer).
        declare -gA _%1$s_named=(
        %2$s)
        declare -gA _%1$s_valued=(
        %3$s)
        declare -gA _%1$s_many=(
        %4$s)

        function _%1$s_complete_names() {
          _complete_%1$s "$@"
          local current="${COMP_WORDS[COMP_CWORD]}"
          local verb="${COMP_WORDS[1]} ${COMP_WORDS[2]}"
          local noun="${_%1$s_named[$verb]}"
          if [[ -z "$noun" || "$current" == -* || ${#COMPREPLY[@]} -gt 0 ]]; then
            return
          fi
          local i word value_next=0
          for ((i = 3; i < COMP_CWORD; i++)); do
            word="${COMP_WORDS[i]}"
            if (( value_next )); then
              value_next=0
            elif [[ "$word" == -* ]]; then
              [[ "$word" != *=* && " ${_%1$s_valued[$verb]} " == *" $word "* ]] && value_next=1
            elif [[ -z "${_%1$s_many[$verb]}" ]]; then
              return
            fi
          done
          (( value_next )) && return
          local IFS=$'\\n'
          COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" __names "$noun" 2>/dev/null)" -- "$current") )
        }

        complete -F _%1$s_complete_names -o default %1$s
        """.formatted(name, named, valued, many);
  }
}
