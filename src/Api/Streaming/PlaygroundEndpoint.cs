namespace Sidewinder.Api.Streaming;

/// <summary>GET /playground: one static page (no framework, no build step) that runs a cell with an event stream and
/// renders output, images and HTML as they arrive.</summary>
/// <remarks>Served like the Swagger UI: the page itself is anonymous and holds nothing secret; every request it makes
/// goes through the API's own authentication, and with keys configured it asks for one.</remarks>
internal static class PlaygroundEndpoint
{
    private static readonly Lazy<byte[]> Page = new(static () =>
    {
        using var stream = typeof(PlaygroundEndpoint).Assembly.GetManifestResourceStream("Sidewinder.Api.playground.html")
            ?? throw new InvalidOperationException("The embedded playground.html resource is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IEndpointRouteBuilder MapPlayground(this IEndpointRouteBuilder app)
    {
        app.MapGet("/playground", static (HttpContext context) =>
            {
                // The page's script is inline; nothing else may run, and job HTML is confined to sandboxed frames.
                context.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; frame-src 'self' about:; object-src 'none'";
                return TypedResults.Bytes(Page.Value, "text/html; charset=utf-8");
            })
            .WithTags("Service")
            .WithName("Playground")
            .WithSummary("A page to run code and watch its output stream in")
            .WithDescription("A static HTML page: type a cell, run it, see stdout, logs, images and HTML outputs as they arrive " +
                "(POST /run with Accept: text/event-stream). Asks for an API key when the service has keys.")
            .ExcludeFromDescription()
            .AllowAnonymous();
        return app;
    }
}
