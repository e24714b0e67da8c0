package io.dcloud.cli.common;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** A password from a no-echo prompt, or from the first line of stdin ({@code --password-stdin}). */
public final class Passwords {
  private Passwords() {}

  public static String read(CliIo io, boolean fromStdin, String prompt) {
    if (fromStdin) {
      try {
        String line = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
          throw CliException.usage("--password-stdin: stdin had no password");
        }
        return line;
      } catch (IOException e) {
        throw new CliException(ExitCodes.ERROR, "cannot read the password from stdin: " + e.getMessage(), e);
      }
    }
    char[] typed = io.readPassword(prompt);
    if (typed == null) {
      throw CliException.usage("no terminal to ask for the password on: pipe it in with --password-stdin");
    }
    return new String(typed);
  }
}
