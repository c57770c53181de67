using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Cortex.Samples.Agents;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
[NonParallelizable]
public sealed class DelaySampleTests
{
    private const string Cell = @"(\d+\.\d) %(?: at (\d+)|, not in 100)";

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldError = Console.Error;
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    [Test]
    public void ATinyRunPrintsTheGradientsTheClippingTheDelayTableAndWritesThreePlots()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-delay-" + Guid.NewGuid().ToString("N"));
        try
        {
            (int code, string output, string error) = Run("delay", "--delays", "2,4", "--steps", "100", "--out", dir);
            Assert.That(code, Is.EqualTo(0), error);
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

            Assert.That(lines[0], Does.StartWith("delay: recall a marked bit after T steps"));
            string[] gradients = lines.Where(l => l.StartsWith("gradient  ", StringComparison.Ordinal)).ToArray();
            Assert.That(gradients, Has.Length.EqualTo(4));
            Assert.That(gradients, Has.All.Match(@"distance 0: 1E\+0, 5: \S+, 10: \S+, 20: \S+, 50: \S+, 100: \S+$"));
            string[] clipping = lines.Where(l => l.StartsWith("clipping  ", StringComparison.Ordinal)).ToArray();
            Assert.That(clipping, Has.Length.EqualTo(2));
            Assert.That(clipping, Has.All.Match(@"max ‖g‖ \S+, loss \S+ -> \S+"));
            string[] progress = lines.Where(l => l.StartsWith("delay ", StringComparison.Ordinal) && !l.StartsWith("delay plot", StringComparison.Ordinal)).ToArray();
            Assert.That(progress, Has.Length.EqualTo(2 * 4));
            Assert.That(progress, Has.All.Match(@"^delay +\d+  .+ +\d+\.\d % \((step \d+|no, 100), bit gradient \S+ -> \S+\)  \(\d+ s\)$"));

            int header = Array.IndexOf(lines, "| delay T | Elman x0.5 | Elman x1 | GRU | GRU, curriculum |");
            Assert.That(header, Is.GreaterThan(0), output);
            Assert.That(lines[header + 1], Is.EqualTo("|---:|---:|---:|---:|---:|"));
            var row = new Regex($@"^\| (\d+) \| {Cell} \| {Cell} \| {Cell} \| {Cell} \|$");
            Match[] rows = lines.Skip(header + 2).Take(2).Select(l => row.Match(l)).ToArray();
            Assert.That(rows.Select(m => m.Success), Is.EqualTo(new[] { true, true }), output);
            Assert.That(rows.Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "2", "4" }));

            string[] plots = lines.Where(l => l.Contains(" plot: ", StringComparison.Ordinal)).Select(l => l.Substring(l.IndexOf(": ", StringComparison.Ordinal) + 2)).ToArray();
            Assert.That(plots.Select(Path.GetFileName), Is.EqualTo(new[] { "memory-gradients.png", "memory-clipping.png", "memory-delays.png" }));
            foreach (string plot in plots)
            {
                byte[] head = File.ReadAllBytes(plot).Take(4).ToArray();
                Assert.That(head, Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), plot);
            }

            Match last = Regex.Match(lines[^1],
                @"^delay: largest delay learned to >= 95 %: Elman x0.5 T = (\d+), Elman x1 T = (\d+), GRU T = (\d+), GRU, curriculum T = (\d+) \(delays 2,4\) in \d+\.\d s$");
            Assert.That(last.Success, Is.True, lines[^1]);
            // The summary agrees with the table: for each model, the largest delay whose cell has a step count.
            for (int model = 0; model < 4; model++)
            {
                string largest = rows.Where(m => m.Groups[3 + 2 * model].Success).Select(m => m.Groups[1].Value).DefaultIfEmpty("0").Last();
                Assert.That(last.Groups[1 + model].Value, Is.EqualTo(largest), $"model {model}");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void BadDelayListsAndRatesPrintUsageAndExitWith2()
    {
        foreach (string[] args in new[] { new[] { "--delays", "5,3" }, new[] { "--delays", "x" }, new[] { "--delays", "0" }, new[] { "--delays", "4,4" }, new[] { "--lr", "0" }, new[] { "--lr", "fast" } })
        {
            (int code, _, string error) = Run(new[] { "delay" }.Concat(args).ToArray());
            string what = string.Join(" ", args);
            Assert.That(code, Is.EqualTo(2), what);
            Assert.That(error, Does.Contain(args[0]).And.Contain("usage:"), what);
        }
    }

    [Test]
    public void AnUnwritablePlotFolderFailsBeforeTraining()
    {
        (int code, string output, string error) = Run("delay", "--delays", "2", "--out", "/proc/cortex-plots");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("cannot write plots to '/proc/cortex-plots'"));
        Assert.That(output, Does.Not.Contain("gradient "));
    }
}
