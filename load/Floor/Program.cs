using System.Text.Json;

// The floor: the best a .NET HTTP service can do on this machine for the benchmark's requests. Each endpoint binds
// the same JSON body as Sidewinder's (so the body is read and parsed) and answers a constant JSON result; nothing
// else runs in the pipeline. Logging is configured like Sidewinder's benchmark runs (Logging__LogLevel__Default).
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

var ok = new FloorResponse("ok", 2);
app.MapGet("/health/ready", () => TypedResults.Ok(new HealthResponse("ready")));
app.MapPost("/eval", (CodeRequest request) => TypedResults.Ok(ok with { Length = request.Code.Length }));
app.MapPost("/run", (CodeRequest request) => TypedResults.Ok(ok with { Length = request.Code.Length }));
app.MapPost("/call", (CallRequest request) => TypedResults.Ok(ok with { Length = request.Function.Length + (request.Args?.Count ?? 0) }));

app.Run();

/// <summary>Body of /eval and /run, as Sidewinder binds it.</summary>
internal sealed record CodeRequest(string Code, int? TimeoutMs, IReadOnlyDictionary<string, JsonElement>? Variables);

/// <summary>Body of /call, as Sidewinder binds it.</summary>
internal sealed record CallRequest(string Module, string Function, IReadOnlyList<JsonElement>? Args,
    IReadOnlyDictionary<string, JsonElement>? Kwargs, int? TimeoutMs);

/// <summary>The constant result; <see cref="Length"/> only proves the body was parsed.</summary>
internal sealed record FloorResponse(string Outcome, int Value)
{
    public int Length { get; init; }
}

internal sealed record HealthResponse(string Status);
