using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Logging;

namespace Sidewinder.Api.Hosting;

/// <summary>Every error becomes a problem response: malformed or oversized bodies (400 / 413 / 415, with the reason),
/// unknown routes, and unexpected exceptions (500, details only in the log).</summary>
internal static class ErrorHandlingExtensions
{
    public static WebApplicationBuilder AddProblemResponses(this WebApplicationBuilder builder)
    {
        // Binding failures throw, so the handler below can say what was wrong instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Problems written by the framework (404, 405, 415, ...) get the same "outcome" field as ours.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.TryAdd("outcome", OutcomeFor(context.ProblemDetails.Status ?? 500));
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Type = ProblemTypes.UnsupportedMediaType; // one type, whichever part refused it
                context.ProblemDetails.Detail ??= "Send the body as JSON with Content-Type: application/json (this request's was '" +
                    (context.HttpContext.Request.ContentType ?? "") + "').";
            }
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // The web defaults read "100" as a number; a string where a number belongs is an error here.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            // Variables may nest up to the documented conversion depth (128) plus the request's own two levels;
            // the reader's default of 64 refused them first.
            o.SerializerOptions.MaxDepth = RequestMaxDepth;
            // A misspelt field ("timeout" for "timeoutMs") is an error, not a silent default, and a field sent twice is
            // refused rather than read last-wins (a proxy that checked the first "code" would not see the one that runs).
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.AllowDuplicateProperties = false;
            // Generated code for the API's own types first; anything else by reflection, as before.
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        return builder;
    }

    /// <summary>The deepest request body accepted: the conversion limit for variables (128) plus the body's own
    /// levels (the request object, the variables or args container).</summary>
    public const int RequestMaxDepth = 128 + 3;

    private static string OutcomeFor(int status) => status switch
    {
        401 or 403 or 429 or 503 => Outcomes.Rejected,
        >= 500 => Outcomes.Error,
        _ => Outcomes.Invalid,
    };

    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(static (context, next) =>
        {
            // No request body is decompressed here: a compressed one would be read as JSON (or stored as a file) as it
            // stands, so refuse it with the reason instead.
            if (context.Request.Headers.ContentEncoding is { Count: > 0 } encoding
                && !string.Equals(encoding.ToString(), "identity", StringComparison.OrdinalIgnoreCase))
            {
                RequestJobInfo.Set(context, null, Outcomes.Invalid);
                return Problems.WriteAsync(context, Problems.UnsupportedMediaType(
                    $"Request bodies are read as sent: Content-Encoding '{encoding}' is not supported; send the body uncompressed."));
            }
            // `charset="utf-8"` is a valid way to write the parameter (RFC 9110), but the JSON reader looks the quoted
            // name up as it stands and fails; unquote it. Only a header with a quote in it pays for the check.
            if (context.Request.ContentType is { } type && type.Contains('"', StringComparison.Ordinal)
                && MediaTypeHeaderValue.TryParse(type, out var parsed) && parsed.Charset.HasValue)
            {
                parsed.Charset = HeaderUtilities.RemoveQuotes(parsed.Charset);
                context.Request.ContentType = parsed.ToString();
            }
            return next(context);
        });
        return app;
    }
}

internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            _ when UnknownCharset(context, exception) is { } charset => Problems.UnsupportedMediaType(
                $"The body's charset '{charset}' is not an encoding this service reads: send JSON in UTF-8 (Content-Type: " +
                "application/json, with charset=utf-8 or none)."),
            _ => null,
        };
        if (problem is not null)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
        }
        else
        {
            // Since .NET 10 the middleware does not log exceptions that a handler handled.
            ApiLog.RequestFailed(logger, context.Request.Method, context.Request.Path, exception);
            problem = Problems.Create(StatusCodes.Status500InternalServerError, ProblemTypes.Internal, "Internal error",
                "An unexpected error occurred; it has been logged.", Outcomes.Error);
        }
        await Problems.WriteAsync(context, problem).ConfigureAwait(false);
        return true;
    }

    private static ExecutionProblem FromBadRequest(BadHttpRequestException bad)
    {
        var status = bad.StatusCode;
        var detail = Reason(bad);
        return status switch
        {
            StatusCodes.Status413PayloadTooLarge =>
                Problems.Create(status, ProblemTypes.TooLarge, "The request is too large", detail + " (Limits:MaxRequestBodyBytes)", Outcomes.Invalid),
            StatusCodes.Status415UnsupportedMediaType => Problems.UnsupportedMediaType(detail),
            _ => Problems.Create(status, ProblemTypes.InvalidRequest, "The request is invalid", detail, Outcomes.Invalid),
        };
    }

    /// <summary>The charset of a JSON body the framework could not find an encoding for (it throws
    /// <see cref="InvalidOperationException"/> around the lookup's <see cref="ArgumentException"/>), or null.</summary>
    private static string? UnknownCharset(HttpContext context, Exception exception) =>
        exception is InvalidOperationException { InnerException: ArgumentException }
        && exception.Message.Contains("content type charset", StringComparison.Ordinal)
        && MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            ? type.Charset.ToString()
            : null;

    /// <summary>The most useful message: the JSON reader's (which names the field, line and position) when there is one.</summary>
    private static string Reason(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException json => "The body is not valid for this endpoint: " + JsonReason(json),
        // The framework's text for a missing body suggests "a Service" (its DI hint), which means nothing to a caller.
        _ when exception.Message.StartsWith("Implicit body inferred", StringComparison.Ordinal)
            || exception.Message.Contains("was not provided", StringComparison.Ordinal) =>
            "The request has no body: send a JSON object (Content-Type: application/json) with the fields this endpoint documents.",
        BadHttpRequestException inner => inner.Message,
        _ => exception.Message,
    };

    /// <summary>The reader's own message for malformed JSON; for a well-formed value the request type cannot take, the field
    /// and the reason instead of the serialiser's text (which names our internal .NET types).</summary>
    private static string JsonReason(JsonException json)
    {
        const string Missing = "was missing required properties including: ";
        if (json.Message.IndexOf(Missing, StringComparison.Ordinal) is var at and >= 0)
        {
            return "required fields are missing: " + json.Message[(at + Missing.Length)..].TrimEnd('.') + ".";
        }
        if (UnknownField(json) is { } unknown)
        {
            return unknown;
        }
        if (json.Message.StartsWith("Duplicate propert", StringComparison.Ordinal))
        {
            // An object of ours names the property; a dictionary (variables, kwargs) leaves it to the path.
            var name = Quoted(json.Message) ?? LastSegment(json.Path);
            return $"{(name is null ? "a field" : $"'{name}'")} appears twice in one object (at {json.Path ?? "$"}, line " +
                $"{json.LineNumber + 1}, byte {json.BytePositionInLine}): send each field, variable and keyword argument once.";
        }
        var mismatch = json.Message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal);
        if (mismatch && json.Path is "$" or null)
        {
            return "The body must be a JSON object with the fields this endpoint documents (the OpenAPI document, /swagger, " +
                "has them), not an array, string, number or boolean.";
        }
        if (json.Path is not { Length: > 1 } path || !mismatch)
        {
            return json.Message;
        }
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        var why = json.InnerException is { Message: { Length: > 0 } inner } && json.InnerException is not JsonException
            ? inner.TrimEnd('.')
            : "it has the wrong JSON type or is out of range; each field's type is in the OpenAPI document (/swagger)";
        return $"'{field}' cannot be read: {why} (line {json.LineNumber + 1}, byte {json.BytePositionInLine}).";
    }

    /// <summary>For a field the request type does not have: its name and the fields the endpoint does take.</summary>
    private static string? UnknownField(JsonException json)
    {
        const string Unmapped = "could not be mapped to any .NET member contained in type '";
        var at = json.Message.IndexOf(Unmapped, StringComparison.Ordinal);
        if (at < 0 || Quoted(json.Message) is not { } name)
        {
            return null;
        }
        var typeName = json.Message[(at + Unmapped.Length)..].TrimEnd('.', '\'');
        // The type is one of ours that the generated context reads (a request body); any other yields no field list.
        var fields = typeof(ApiJsonContext).Assembly.GetType(typeName) is { } type
            && ApiJsonContext.Default.GetTypeInfo(type) is { } info
            ? string.Join(", ", info.Properties.Select(p => p.Name).Order(StringComparer.Ordinal))
            : null;
        return $"'{name}' is not a field of this endpoint" + (fields is null ? "" : $" (its fields: {fields})") +
            "; field names are case-insensitive, and each endpoint's fields are in the OpenAPI document (/swagger).";
    }

    /// <summary>The last member name of a JSON path (<c>$.variables.x</c>, <c>$.variables['a b']</c>).</summary>
    private static string? LastSegment(string? path)
    {
        if (path is not { Length: > 1 })
        {
            return null;
        }
        if (path.EndsWith("']", StringComparison.Ordinal) && path.LastIndexOf("['", StringComparison.Ordinal) is var open and >= 0)
        {
            return path[(open + 2)..^2];
        }
        var dot = path.LastIndexOf('.');
        return dot >= 0 && dot < path.Length - 1 ? path[(dot + 1)..] : null;
    }

    /// <summary>The first single-quoted name in a serialiser message.</summary>
    private static string? Quoted(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}
