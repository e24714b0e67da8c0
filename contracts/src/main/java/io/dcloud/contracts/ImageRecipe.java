package io.dcloud.contracts;

/**
 * How to build an environment's image: the generated Dockerfile, the base image it starts
 * {@code FROM}, and a tag derived from a hash of the Dockerfile so identical environments share one
 * image. It travels inside events and node commands (never alone), so it needs no serialization
 * marker of its own.
 */
public record ImageRecipe(String tag, String baseImage, String dockerfile) {}
