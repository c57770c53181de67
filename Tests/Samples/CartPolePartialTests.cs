using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Cortex.Samples.Agents;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
[NonParallelizable]
public sealed class CartPolePartialTests
{
    private static readonly Regex Verdict = new(@"^cartpole: (solved at step \d+|not solved after \d+ steps) \(avg100 = \d+\.\d\) in \d+\.\d s$");

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

    private static string LastLine(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().TrimEnd('\r');

    [Test]
    public void PartialRunsWithAndWithoutMemoryEndWithTheCartPoleVerdictAndDrawBothCurves()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-partial-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 8,192 steps: one greedy evaluation (20 episodes) of the recurrent policy.
            (int code, string output, string error) = Run("cartpole", "--partial", "--algo", "ppo", "--steps", "8192", "--episodes", "20", "--out", dir, "--plain");
            Assert.That(error, Is.Empty);
            Assert.That(output, Does.StartWith("cartpole: partial observation (x, θ), recurrent PPO"));
            Assert.That(LastLine(output), Does.Match(Verdict));
            Assert.That(code, Is.EqualTo(LastLine(output).StartsWith("cartpole: solved", StringComparison.Ordinal) ? 0 : 1));
            string[] memory = File.ReadAllLines(Path.Combine(dir, "cartpole-partial-memory-seed1.csv"));
            Assert.That(memory, Has.Length.EqualTo(2), "header and the one evaluation");
            Assert.That(memory[1], Does.StartWith("8192,"));

            (code, output, _) = Run("cartpole", "--partial", "--no-memory", "--algo", "ppo", "--seed", "2", "--steps", "1024", "--out", dir, "--plain");
            Assert.That(code, Is.EqualTo(1));
            Assert.That(output, Does.StartWith("cartpole: partial observation (x, θ), feed-forward PPO (no memory)"));
            Assert.That(LastLine(output), Does.Match(Verdict));
            Assert.That(LastLine(output), Does.StartWith("cartpole: not solved after 1024 steps (avg100 = 0.0) in "));
            Assert.That(File.Exists(Path.Combine(dir, "cartpole-partial-no-memory-seed2.csv")), Is.True);
            Assert.That(new FileInfo(Path.Combine(dir, "cartpole-partial.png")).Length, Is.GreaterThan(1000));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void PartialNeedsPpoOnCartPoleAndNoMemoryNeedsPartial()
    {
        foreach (string[] args in new[]
        {
            new[] { "cartpole", "--partial" }, new[] { "pendulum", "--partial", "--algo", "ppo" }, new[] { "cartpole", "--algo", "ppo", "--no-memory" },
            new[] { "cartpole", "--partial", "--algo", "ppo", "--save", "x.brain" },
        })
        {
            (int code, _, string error) = Run(args);
            Assert.That(code, Is.EqualTo(2), string.Join(" ", args));
            Assert.That(error, Does.Contain("usage:"));
        }
    }

    [Test]
    public void TheObservationIsPositionAndAngleScaledByTheirLimits()
    {
        var cartPole = new CartPole(3);
        float[] full = new float[CartPole.ObservationSize], partial = new float[CartPolePartial.ObservationSize];
        for (int step = 0; step < 5; step++) cartPole.Step(1, out _, out _);
        cartPole.Observe(full);
        CartPolePartial.Observe(cartPole, partial);
        Assert.That(partial[0], Is.EqualTo(full[0] / 2.4f).Within(1e-6f));
        Assert.That(partial[1], Is.EqualTo(full[2] / (12f * MathF.PI / 180f)).Within(1e-5f));
    }
}
