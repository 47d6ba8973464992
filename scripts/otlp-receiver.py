#!/usr/bin/env python3
"""A minimal OTLP/HTTP trace receiver (JSON encoding), for tests and the
rehearsal: what a collector (Jaeger, Tempo, the OpenTelemetry Collector)
would be given, kept in memory.

  POST /v1/traces   an ExportTraceServiceRequest in OTLP JSON
                    (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding:
                    trace and span ids as hex strings); 200 with an empty
                    ExportTraceServiceResponse. Any other content type: 415.
  GET  /spans       every span received so far, flattened:
                    {service, name, trace_id, span_id, parent_span_id,
                     attributes: {key: value}}

Usage: otlp-receiver.py LISTEN_ADDR PORT_FILE
  Binds LISTEN_ADDR (host:port; port 0 picks one) and writes the bound
  host:port to PORT_FILE once it listens.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SPANS = []
LOCK = threading.Lock()


def value_of(any_value):
    """The plain value of an OTLP AnyValue."""
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in any_value:
            return any_value[key]
    if "intValue" in any_value:
        return int(any_value["intValue"])
    return any_value


def attributes(items):
    return {kv["key"]: value_of(kv.get("value", {})) for kv in items or []}


def flatten(request):
    out = []
    for resource_spans in request.get("resourceSpans", []):
        resource = attributes(resource_spans.get("resource", {}).get("attributes"))
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                out.append({
                    "service": resource.get("service.name", ""),
                    "name": span.get("name", ""),
                    "trace_id": span.get("traceId", "").lower(),
                    "span_id": span.get("spanId", "").lower(),
                    "parent_span_id": span.get("parentSpanId", "").lower(),
                    "attributes": attributes(span.get("attributes")),
                })
    return out


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if self.path != "/v1/traces":
            return self.reply(404, {"error": "no such path"})
        if not self.headers.get("content-type", "").startswith("application/json"):
            return self.reply(415, {"error": "JSON encoding only"})
        try:
            spans = flatten(json.loads(body))
        except (ValueError, AttributeError, TypeError) as err:
            return self.reply(400, {"error": str(err)})
        with LOCK:
            SPANS.extend(spans)
        self.reply(200, {})

    def do_GET(self):
        if self.path != "/spans":
            return self.reply(404, {"error": "no such path"})
        with LOCK:
            self.reply(200, list(SPANS))

    def log_message(self, *args):
        pass


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    bound = f"{server.server_address[0]}:{server.server_address[1]}"
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(bound)
    # Renamed into place: a reader never sees half an address.
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
