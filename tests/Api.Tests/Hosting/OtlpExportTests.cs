using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Sidewinder.Api.Tests.Hosting;

[Collection(ApiTests.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Eval_WithOtlpEndpointConfigured_ExportsTracesAndMetricsByShutdown()
    {
        var port = Ports.FreeLoopbackPort();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        var received = new ConcurrentQueue<(string Path, string? ContentType, long Length)>();
        var receiving = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await receiver.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.Length));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        using (var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }))
        {
            var response = await factory.CreateClient().PostJsonAsync("/eval", new { code = "1 + 1" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        } // stopping the host flushes both exporters

        await Poll.UntilAsync(() => received.Any(r => r.Path == "/v1/traces") && received.Any(r => r.Path == "/v1/metrics"));
        receiver.Stop();
        await receiving;
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.All(received, r => Assert.True(r.Length > 0));
    }

}
