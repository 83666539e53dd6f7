using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Sessions;
using Sidewinder.Api.Status;
using Sidewinder.Api.Streaming;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Hosting;

/// <summary>Serialisation code generated at compile time for the request, response and problem types of the HTTP API.</summary>
/// <remarks>
/// First in the HTTP JSON options' resolver chain (<see cref="ErrorHandlingExtensions.AddProblemResponses"/>), so these
/// types are read and written without reflection: no metadata is built by reflection on the first request of each type
/// (start-up, and the first seconds under load, when .NET also compiles everything), and no reflection-based
/// accessors afterwards. Any other type still falls back to the reflection resolver behind it. The options here mirror
/// the ones the service sets (web defaults, nulls left out, numbers strict, unknown and repeated fields refused), so the generated code agrees with them.
/// </remarks>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = ErrorHandlingExtensions.RequestMaxDepth,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(EvalRequest))]
[JsonSerializable(typeof(RunRequest))]
[JsonSerializable(typeof(CallRequest))]
[JsonSerializable(typeof(ExecutionResponse))]
[JsonSerializable(typeof(ExecutionProblem))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(SessionListResponse))]
[JsonSerializable(typeof(InterruptResponse))]
[JsonSerializable(typeof(SessionFileListResponse))]
[JsonSerializable(typeof(SessionFileInfo))]
[JsonSerializable(typeof(StreamText))]
[JsonSerializable(typeof(StreamLog))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
