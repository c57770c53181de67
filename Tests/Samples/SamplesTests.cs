using System;
using System.IO;
using Cortex.Samples.Agents;
using Cortex.Serialization;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
[NonParallelizable]
public sealed class SamplesTests
{
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
    public void BadArgumentsPrintUsageAndExitWith2()
    {
        foreach (string[] args in new[] { new[] { "chess" }, new[] { "--seed" }, new[] { "--steps", "-5" }, new[] { "--eval" }, new[] { "cartpole", "--frobnicate" } })
        {
            (int code, _, string error) = Run(args);
            Assert.That(code, Is.EqualTo(2), string.Join(" ", args));
            Assert.That(error, Does.Contain("usage:"));
        }
    }

    [Test]
    public void UnwritableOutputAndSavePathsFailBeforeTraining()
    {
        string missing = Path.Combine(Path.GetTempPath(), "cortex-no-such-dir-" + Guid.NewGuid().ToString("N"));
        string file = Path.GetTempFileName();
        try
        {
            var cases = new (string[] Args, string Message)[]
            {
                (new[] { "cartpole", "--out", "/proc/cortex-plots", "--plain" }, "cannot write plots to '/proc/cortex-plots'"),
                (new[] { "cartpole", "--out", file, "--plain" }, "cannot write plots to"),
                (new[] { "cartpole", "--save", Path.Combine(missing, "x.cbrain"), "--plain" }, "cannot save to"),
                (new[] { "cartpole", "--save", Path.GetTempPath(), "--plain" }, "it is a folder"),
                (new[] { "seekers", "--out", "/proc/cortex-plots", "--plain" }, "cannot write plots to"),
                (new[] { "seekers", "--save", Path.Combine(missing, "x.cbrain"), "--plain" }, "cannot save to"),
            };
            foreach ((string[] args, string message) in cases)
            {
                (int code, string output, string error) = Run(args);
                string what = string.Join(" ", args);
                Assert.That(code, Is.EqualTo(2), what);
                Assert.That(error, Does.Contain(message), what);
                Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), what + ": one line, no stack trace");
                Assert.That(output, Does.Not.Contain("step ").And.Not.Contain("tick "), what + ": nothing was trained");
            }
            Assert.That(Directory.Exists(missing), Is.False);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void MissingCorruptOrForeignBrainFilesAreOneLineErrors()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-samples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string missing = Path.Combine(dir, "missing.brain"), corrupt = Path.Combine(dir, "corrupt.brain"), foreign = Path.Combine(dir, "foreign.brain");
            File.WriteAllBytes(corrupt, new byte[] { 1, 2, 3, 4, 5 });
            using (Brain other = Brain.Create(3).Dense(2, Activation.Linear).Build(1)) other.Save(foreign);
            foreach (string path in new[] { missing, corrupt, foreign })
            {
                (int code, _, string error) = Run("cartpole", "--load", path, "--eval");
                Assert.That(code, Is.EqualTo(2), path);
                Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
                Assert.That(error, Does.StartWith("error: ").And.Not.Contain("   at "), "no stack trace");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void SavesTrainsAndEvaluatesACartPoleBrain()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            string brain = Path.Combine(dir, "cp.brain");
            (int code, string output, _) = Run("cartpole", "--steps", "3000", "--episodes", "10", "--save", brain, "--out", dir, "--plain");
            Assert.That(code, Is.EqualTo(1), "3,000 steps do not solve it, and the sample says so");
            Assert.That(output, Does.Contain("cartpole: NOT solved within 3000 steps"));
            Assert.That(File.Exists(brain), Is.True);
            Assert.That(File.Exists(Path.Combine(dir, "cartpole-seed1.png")), Is.True);
            (code, output, _) = Run("cartpole", "--load", brain, "--eval", "--episodes", "5");
            Assert.That(code, Is.EqualTo(0));
            Assert.That(output, Does.Contain("average return"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void SeekersLearningCurveRises()
    {
        var settings = new SeekersSettings { Seed = 1, Agents = 128, Ticks = 800, WindowTicks = 100 };
        using Brain brain = SeekersRun.CreateBrain(settings);
        SeekersResult result = SeekersRun.Train(settings, brain);
        Assert.That(result.Curve, Has.Count.EqualTo(8));
        Assert.That(result.BrainCalls, Is.EqualTo(800), "one batched think per tick for all chunks of the crowd");
        float first = result.Curve[0].ReachedPerAgentPer1000Ticks;
        float late = (result.Curve[6].ReachedPerAgentPer1000Ticks + result.Curve[7].ReachedPerAgentPer1000Ticks) / 2;
        Assert.That(late, Is.GreaterThan(3 * first + 1), $"targets reached per agent per 1000 ticks: {string.Join(", ", result.Curve.ConvertAll(p => p.ReachedPerAgentPer1000Ticks))}");
        Assert.That(result.Curve[7].RewardPerAgentTick, Is.GreaterThan(result.Curve[0].RewardPerAgentTick));
    }
}
