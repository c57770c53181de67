using System;
using System.IO;
using Cortex.Samples.Agents;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
[NonParallelizable]
public sealed class LearnerSamplesTests
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

    private static string LastLine(string output) => output.Trim().Split('\n')[^1].Trim();

    [Test]
    public void PpoCartPoleSavesEvaluatesAndEndsWithTheVerdictLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            string brain = Path.Combine(dir, "ppo.brain");
            (int code, string output, _) = Run("cartpole", "--algo", "ppo", "--steps", "1000", "--episodes", "10", "--save", brain, "--out", dir, "--plain");
            Assert.That(code, Is.EqualTo(1));
            Assert.That(LastLine(output), Does.Match(@"^cartpole: not solved after 1000 steps \(avg100 = [0-9.]+\) in [0-9.]+ s$"));
            Assert.That(File.Exists(Path.Combine(dir, "cartpole-ppo-seed1.png")), Is.True);
            (code, output, _) = Run("cartpole", "--algo", "ppo", "--load", brain, "--eval", "--episodes", "5");
            Assert.That(code, Is.EqualTo(0));
            Assert.That(output, Does.Contain("average return"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void PendulumRunsEndWithTheVerdictLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            (int code, string output, _) = Run("pendulum", "--steps", "400", "--out", dir, "--plain");   // two SAC episodes
            Assert.That(code, Is.EqualTo(1));
            Assert.That(LastLine(output), Does.Match(@"^pendulum: not solved after 400 steps \(avg10 = -[0-9.]+\) in [0-9.]+ s$"));
            (code, output, _) = Run("pendulum", "--algo", "ppo", "--steps", "1600", "--out", dir, "--plain");   // one episode per pendulum
            Assert.That(code, Is.EqualTo(1));
            Assert.That(LastLine(output), Does.Match(@"^pendulum: not solved after 1600 steps \(avg10 = -[0-9.]+\) in [0-9.]+ s$"));
            Assert.That(File.Exists(Path.Combine(dir, "pendulum-sac-seed1.png")), Is.True);
            (code, output, _) = Run("pendulum-agents", "--steps", "400", "--out", dir, "--plain");   // SAC in an AgentGroup, statistics plotted
            Assert.That(code, Is.EqualTo(1));
            Assert.That(output, Does.Contain("upright"), "the per-episode custom value is reported");
            Assert.That(LastLine(output), Does.Match(@"^pendulum: not solved after 400 steps \(avg10 = -[0-9.]+\) in [0-9.]+ s$"));
            Assert.That(File.Exists(Path.Combine(dir, "pendulum-sac-agents-seed1.png")), Is.True);
            (code, _, string error) = Run("pendulum", "--algo", "dqn");
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain("pendulum runs sac or ppo"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void ImitateClonesTheExpertAndEndsWithTheVerdictLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cortex-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            string clone = Path.Combine(dir, "clone.brain");
            (int code, string output, _) = Run("imitate", "--episodes", "20", "--save", clone, "--out", dir, "--plain");
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(LastLine(output), Does.Match(@"^imitate: BC reached [0-9.]+ % of the expert's return \(expert [0-9.]+, clone [0-9.]+\) in [0-9.]+ s of training$"));
            Assert.That(File.Exists(Path.Combine(dir, "cartpole-expert-seed1.cdemo")), Is.True);
            (code, output, _) = Run("imitate", "--load", clone, "--eval", "--episodes", "5");
            Assert.That(code, Is.EqualTo(0));
            Assert.That(output, Does.Contain("average return"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
