package io.dcloud.gateway.job;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.dataset.DatasetIds;
import io.dcloud.gateway.service.ServiceRequests;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the body of {@code POST /jobs}: {@code {"service", "input": {"dataset": "category/db/name",
 * "version": N | "latest"}, "batch-size": 1..10000}}; every problem a field error, thrown together
 * as one 422.
 */
final class JobRequests {
  static final String SERVICE = "service";
  static final String INPUT = "input";
  static final String DATASET = "dataset";
  static final String VERSION = "version";
  static final String BATCH_SIZE = "batch-size";
  static final int DEFAULT_BATCH_SIZE = 32;
  static final int MAX_BATCH_SIZE = 10_000;
  private static final Set<String> FIELDS = Set.of(SERVICE, INPUT, BATCH_SIZE);
  private static final Set<String> INPUT_FIELDS = Set.of(DATASET, VERSION);

  /** {@code version} null: the latest. */
  record Submission(String service, String dataset, Integer version, int batchSize) {}

  private JobRequests() {}

  static Submission parse(JsonNode body) {
    if (!body.isObject()) {
      throw ValidationException.of("$", "must be an object such as {\"service\": \"iris\", \"input\": {\"dataset\":"
          + " \"tables/iris/inputs\"}, \"batch-size\": 32}");
    }
    List<FieldError> errors = new ArrayList<>();
    unknown(body, FIELDS, "", errors);
    String service = service(body.get(SERVICE), errors);
    JsonNode input = body.get(INPUT);
    String dataset = null;
    Integer version = null;
    if (ContractReader.absent(input)) {
      errors.add(new FieldError(INPUT, "is required: {\"dataset\": \"category/db/name\", \"version\": N or \"latest\"}"));
    } else if (!input.isObject()) {
      errors.add(new FieldError(INPUT, "must be an object such as {\"dataset\": \"category/db/name\"}, not " + kindOf(input)));
    } else {
      unknown(input, INPUT_FIELDS, INPUT + ".", errors);
      dataset = dataset(input.get(DATASET), errors);
      version = version(input.get(VERSION), errors);
    }
    int batchSize = batchSize(body.get(BATCH_SIZE), errors);
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new Submission(service, dataset, version, batchSize);
  }

  private static void unknown(JsonNode object, Set<String> known, String prefix, List<FieldError> errors) {
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      if (!known.contains(field.getKey())) {
        errors.add(new FieldError(prefix + field.getKey(), ContractReader.unknownFieldReason(field.getKey(), known)));
      }
    }
  }

  private static String service(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(SERVICE, "is required: the name of the model service that predicts"));
    } else if (!value.isTextual() || !ServiceRequests.isValidName(value.textValue())) {
      errors.add(new FieldError(SERVICE, "must be a service's name (1 to 40 lowercase letters, digits and '-'), not "
          + kindOf(value)));
    } else {
      return value.textValue();
    }
    return null;
  }

  private static String dataset(JsonNode value, List<FieldError> errors) {
    String field = INPUT + "." + DATASET;
    if (ContractReader.absent(value)) {
      errors.add(new FieldError(field, "is required: \"category/db/name\""));
      return null;
    } else if (!value.isTextual()) {
      errors.add(new FieldError(field, "must be a string \"category/db/name\", not " + kindOf(value)));
      return null;
    }
    String[] parts = value.textValue().split("/", -1);
    if (parts.length != 3 || DatasetIds.problemWith(parts[0]) != null || DatasetIds.problemWith(parts[1]) != null
        || DatasetIds.problemWith(parts[2]) != null) {
      errors.add(new FieldError(field, "must be \"category/db/name\", each part " + DatasetIds.problemWith(null)));
      return null;
    }
    return value.textValue();
  }

  private static Integer version(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value) || (value.isTextual() && "latest".equals(value.textValue()))) {
      return null;
    } else if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() > 0) {
      return value.intValue();
    }
    errors.add(new FieldError(INPUT + "." + VERSION, "must be a positive whole number or \"latest\", not "
        + (value.isNumber() ? value.asText() : kindOf(value))));
    return null;
  }

  private static int batchSize(JsonNode value, List<FieldError> errors) {
    if (ContractReader.absent(value)) {
      return DEFAULT_BATCH_SIZE;
    } else if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= 1
        && value.intValue() <= MAX_BATCH_SIZE) {
      return value.intValue();
    }
    errors.add(new FieldError(BATCH_SIZE, "must be a whole number from 1 to " + MAX_BATCH_SIZE + ", not "
        + (value.isNumber() ? value.asText() : kindOf(value))));
    return DEFAULT_BATCH_SIZE;
  }
}
