//! [`MessagingCall`]: the description of one messaging operation (a publish, a
//! delivery processed, an ack), from which core makes its span and metrics.

use std::borrow::Cow;

use opentelemetry::trace::{Link, SpanBuilder, SpanKind, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};

use crate::intern::intern;
use crate::metrics::{CallMetricKind, Identity, MetricShape};
use crate::span::{CallKind, CallSpan};
use crate::{Library, emit};

/// The messaging system, as `messaging.system` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessagingSystem {
    /// `rabbitmq`.
    Rabbitmq,
    /// `nats`.
    Nats,
}

impl MessagingSystem {
    /// The `messaging.system` value.
    pub const fn name(self) -> &'static str {
        match self {
            MessagingSystem::Rabbitmq => "rabbitmq",
            MessagingSystem::Nats => "nats",
        }
    }
}

/// The kind of operation, as `messaging.operation.type` names it; it decides the span's
/// kind and the metrics recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessagingOperation {
    /// A message sent to the broker (`publish`): a PRODUCER span; counted in
    /// `messaging.client.sent.messages`.
    Send,
    /// A message asked for and received (`basic_get`, a request's reply): a CLIENT
    /// span; counted in `messaging.client.consumed.messages`.
    Receive,
    /// A delivered message handled by the application: a CONSUMER span, child of and
    /// linked to the producer's context; timed in `messaging.process.duration` and
    /// counted in `messaging.client.consumed.messages`.
    Process,
    /// A message acknowledged, rejected or requeued: a CLIENT span.
    Settle,
}

impl MessagingOperation {
    /// The `messaging.operation.type` value.
    pub const fn name(self) -> &'static str {
        match self {
            MessagingOperation::Send => "send",
            MessagingOperation::Receive => "receive",
            MessagingOperation::Process => "process",
            MessagingOperation::Settle => "settle",
        }
    }

    const fn span_kind(self) -> SpanKind {
        match self {
            MessagingOperation::Send => SpanKind::Producer,
            MessagingOperation::Receive | MessagingOperation::Settle => SpanKind::Client,
            MessagingOperation::Process => SpanKind::Consumer,
        }
    }
}

/// Describes one messaging operation; [`start`](MessagingCall::start) makes its span.
///
/// ```
/// use instrument_core::messaging::{MessagingCall, MessagingOperation, MessagingSystem};
/// use instrument_core::Library;
///
/// let span = MessagingCall::new(Library::Lapin, MessagingSystem::Rabbitmq, MessagingOperation::Send, "publish")
///     .destination("orders")
///     .body_size(42)
///     .server("rabbit.internal", Some(5672))
///     .start();
/// // inject span's context into the message's headers, send it, record the outcome
/// # drop(span);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a MessagingCall does nothing until `start` makes its span"]
pub struct MessagingCall<'a> {
    library: Library,
    system: MessagingSystem,
    operation: MessagingOperation,
    operation_name: &'a str,
    destination: Option<&'a str>,
    template: Option<Cow<'a, str>>,
    temporary: bool,
    message_id: Option<&'a str>,
    body_size: Option<u64>,
    server: Option<(&'a str, Option<u16>)>,
    consumer_group: Option<&'a str>,
    creation: Option<Context>,
    extra: Vec<KeyValue>,
    awaits_reply: bool,
}

/// Attributes a receive span may get once its message is in (`messaging.message.body.size`,
/// the delivery tag, `messaging.message.id`).
const RECEIVED_ATTRIBUTES: usize = 3;

impl<'a> MessagingCall<'a> {
    /// An operation of `operation`'s type, named `operation_name` as the system names
    /// it (`publish`, `process`, `ack`), made through `library`'s wrapper.
    pub fn new(
        library: Library,
        system: MessagingSystem,
        operation: MessagingOperation,
        operation_name: &'a str,
    ) -> Self {
        MessagingCall {
            library,
            system,
            operation,
            operation_name,
            destination: None,
            template: None,
            temporary: false,
            message_id: None,
            body_size: None,
            server: None,
            consumer_group: None,
            creation: None,
            extra: Vec::new(),
            awaits_reply: false,
        }
    }

    /// `messaging.destination.name`: the exchange, queue or subject.
    pub fn destination(mut self, name: &'a str) -> Self {
        self.destination = Some(name);
        self
    }

    /// `messaging.destination.template`: the destination with its variable parts named
    /// (`orders.{id}`); the span is named by it, and it is recorded instead of the
    /// name, which carries ids.
    pub fn destination_template(mut self, template: impl Into<Cow<'a, str>>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// The destination was made by the broker for this connection (an anonymous queue,
    /// a reply inbox): `messaging.destination.temporary`, and the span named
    /// `{operation} (temporary)`, its name recorded nowhere (it is unique per
    /// connection).
    pub fn temporary_destination(mut self) -> Self {
        self.temporary = true;
        self
    }

    /// `messaging.message.id`.
    pub fn message_id(mut self, id: &'a str) -> Self {
        self.message_id = Some(id);
        self
    }

    /// `messaging.message.body.size`, in bytes. The body itself is never recorded.
    pub fn body_size(mut self, size: u64) -> Self {
        self.body_size = Some(size);
        self
    }

    /// `server.address` and `server.port`: the broker.
    pub fn server(mut self, address: &'a str, port: Option<u16>) -> Self {
        self.server = Some((address, port));
        self
    }

    /// `messaging.consumer.group.name`: the queue group sharing the messages.
    pub fn consumer_group(mut self, name: &'a str) -> Self {
        self.consumer_group = Some(name);
        self
    }

    /// The context the message was created in, read from its headers: a
    /// [`Process`](MessagingOperation::Process) span is its child and links to it.
    /// A context without a valid span (no or foreign headers) starts a new trace.
    pub fn creation_context(mut self, context: Context) -> Self {
        self.creation = Some(context);
        self
    }

    /// A [`Send`](MessagingOperation::Send) that waits for its reply (a NATS request):
    /// a CLIENT span, lasting until the reply arrives.
    pub fn awaits_reply(mut self) -> Self {
        self.awaits_reply = true;
        self
    }

    /// An attribute of the system's own (`messaging.rabbitmq.destination.routing_key`).
    pub fn attribute(mut self, attribute: KeyValue) -> Self {
        self.extra.push(attribute);
        self
    }

    /// Makes the span, and starts the operation's metrics. When the library is switched
    /// off, returns [`CallSpan::none`] without doing any string work.
    pub fn start(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let shown = if self.temporary {
            Some("(temporary)")
        } else {
            self.template.as_deref().or(self.destination)
        };
        let name = match shown {
            Some(destination) => format!("{} {destination}", self.operation_name),
            None => self.operation_name.to_owned(),
        };
        let body_size = self.body_size.and_then(|size| i64::try_from(size).ok());
        // Room for the attributes known now, and for what a received message adds to
        // its span (its size, delivery tag and id), no more: a consumer's processing span
        // lives as long as its handler runs.
        let named_destination =
            !self.temporary && (self.template.is_some() || self.destination.is_some());
        let known_now = 3
            + usize::from(named_destination)
            + usize::from(self.consumer_group.is_some())
            + self
                .server
                .map_or(0, |(_, port)| 1 + usize::from(port.is_some()))
            + usize::from(self.temporary)
            + usize::from(self.message_id.is_some())
            + usize::from(body_size.is_some())
            + self.extra.len();
        let added_later = if self.operation == MessagingOperation::Receive {
            RECEIVED_ATTRIBUTES
        } else {
            0
        };
        let mut attributes = Vec::with_capacity(known_now + added_later);
        // The metric's attributes first (see `MetricShape`), then the span's own; where
        // they live written down as they are pushed (see `Identity`).
        let mut identity = Identity::for_metrics();
        let at = &mut attributes;
        identity.push_str(at, "messaging.system", self.system.name().into());
        identity.push_str(at, "messaging.operation.name", intern(self.operation_name));
        if self.operation != MessagingOperation::Process {
            identity.push_str(at, "messaging.operation.type", self.operation.name().into());
        }
        if !self.temporary {
            if let Some(template) = &self.template {
                identity.push_str(at, "messaging.destination.template", intern(template));
            } else if let Some(destination) = self.destination {
                identity.push_str(at, "messaging.destination.name", intern(destination));
            }
        }
        if let Some(group) = self.consumer_group {
            identity.push_str(at, "messaging.consumer.group.name", intern(group));
        }
        if let Some((address, port)) = self.server {
            identity.push_str(at, "server.address", intern(address));
            if let Some(port) = port {
                identity.push_int(at, "server.port", i64::from(port));
            }
        }
        let kind = match self.operation {
            MessagingOperation::Process => CallMetricKind::MessagingProcess,
            MessagingOperation::Send => CallMetricKind::MessagingSend,
            MessagingOperation::Receive => CallMetricKind::MessagingReceive,
            MessagingOperation::Settle => CallMetricKind::MessagingSettle,
        };
        let metric = MetricShape::new(kind, &attributes, &identity);
        if self.operation == MessagingOperation::Process {
            attributes.push(KeyValue::new("messaging.operation.type", "process"));
        }
        if self.temporary {
            attributes.push(KeyValue::new("messaging.destination.temporary", true));
        }
        if let Some(id) = self.message_id {
            attributes.push(KeyValue::new("messaging.message.id", id.to_owned()));
        }
        if let Some(size) = body_size {
            attributes.push(KeyValue::new("messaging.message.body.size", size));
        }
        attributes.extend(self.extra);
        debug_assert_eq!(attributes.len(), known_now, "the room counted above");
        let kind = if self.awaits_reply {
            SpanKind::Client
        } else {
            self.operation.span_kind()
        };
        let mut builder = SpanBuilder::from_name(name)
            .with_kind(kind)
            .with_attributes(attributes);
        if self.operation != MessagingOperation::Process {
            return emit::start_alone(self.library, builder, Some(metric), CallKind::Messaging);
        }
        // A delivery's processing: the producer's span as parent (one message) and as
        // link (as the conventions ask of consumer spans). The creation context was
        // read on top of the current one, so it keeps the current pipeline, and brings
        // the message's baggage; without a producer, a new trace. Only a span the
        // message brought is its producer: without one, the current context's span
        // (the consumer loop's own) is the one it was read on top of, and neither its
        // parent nor its creation.
        let base = self.creation.unwrap_or_else(Context::current);
        let producer = base.span().span_context().clone();
        let parent = if producer.is_valid() && producer.is_remote() {
            builder = builder.with_links(vec![Link::with_context(producer)]);
            base
        } else {
            emit::without_span(&base)
        };
        let (started, metric) = emit::start(self.library, builder, Some(&parent), Some(metric));
        CallSpan::in_context(started, CallKind::Messaging, metric)
    }
}
