package io.dcloud.gateway.dataset;

import io.dcloud.gateway.common.Problem;
import java.util.Iterator;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentRange;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ByteRange;
import org.apache.pekko.http.javadsl.model.headers.Range;
import org.apache.pekko.http.javadsl.model.headers.RangeUnits;

/**
 * A dataset download's {@code Range: bytes=...} of one range, resolved against the version's size,
 * so that only the chunks holding it are read (pekko-http's withRangeSupport slices the whole
 * stream, reading every chunk before the range). Several ranges in one request are left to
 * withRangeSupport.
 */
record DatasetRanges(long start, long end) {

  /** The one byte range of the header, if that is what it asks for. */
  static Optional<ByteRange> single(Optional<Range> header) {
    return header.filter(range -> range.rangeUnit().equals(RangeUnits.BYTES)).flatMap(range -> {
      Iterator<ByteRange> ranges = range.getRanges().iterator();
      ByteRange first = ranges.hasNext() ? ranges.next() : null;
      return ranges.hasNext() ? Optional.empty() : Optional.ofNullable(first);
    });
  }

  /** Bytes {@code start} to {@code end} (exclusive) of {@code size}; none when it is not satisfiable. */
  static Optional<DatasetRanges> resolve(ByteRange range, long size) {
    long start;
    long end;
    if (range.isSlice()) {
      start = range.getSliceFirst().getAsLong();
      end = Math.min(range.getSliceLast().getAsLong() + 1, size);
    } else if (range.isFromOffset()) {
      start = range.getOffset().getAsLong();
      end = size;
    } else {
      start = size - Math.min(range.getSuffixLength().getAsLong(), size);
      end = size;
    }
    return start < size && end > start ? Optional.of(new DatasetRanges(start, end)) : Optional.empty();
  }

  org.apache.pekko.http.javadsl.model.headers.ContentRange header(long size) {
    return org.apache.pekko.http.javadsl.model.headers.ContentRange.create(
        RangeUnits.BYTES, ContentRange.create(start, end - 1, size));
  }

  /** 416, saying how long the version is (RFC 9110, 15.5.17). */
  static HttpResponse notSatisfiable(long size, int version) {
    return Problem.forStatus(StatusCodes.RANGE_NOT_SATISFIABLE,
            "the range is not within version " + version + "'s " + size + " bytes")
        .toResponse()
        .addHeader(org.apache.pekko.http.javadsl.model.headers.ContentRange.create(
            RangeUnits.BYTES, ContentRange.createUnsatisfiable(size)));
  }
}
