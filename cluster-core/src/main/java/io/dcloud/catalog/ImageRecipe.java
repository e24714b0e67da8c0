package io.dcloud.catalog;

import io.dcloud.serialization.CborSerializable;

/**
 * How to build an environment's image: the generated Dockerfile, the base image it starts
 * {@code FROM}, and a tag derived from a hash of the Dockerfile so identical environments share one
 * image.
 */
public record ImageRecipe(String tag, String baseImage, String dockerfile) implements CborSerializable {}
