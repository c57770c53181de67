using System;
using Cortex.Samples.Agents;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
public sealed class CartPoleTests
{
    [Test]
    public void DynamicsFollowTheStandardEquations()
    {
        var env = new CartPole(seed: 1);
        float[] s = new float[4];
        env.Observe(s);
        foreach (float v in s) Assert.That(Math.Abs(v), Is.LessThan(0.05f));
        float x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
        env.Step(1, out bool terminated, out bool truncated);
        double temp = (10.0 + 0.05 * thetaDot * thetaDot * Math.Sin(theta)) / 1.1;
        double thetaAcc = (9.8 * Math.Sin(theta) - Math.Cos(theta) * temp) / (0.5 * (4.0 / 3.0 - 0.1 * Math.Cos(theta) * Math.Cos(theta) / 1.1));
        double xAcc = temp - 0.05 * thetaAcc * Math.Cos(theta) / 1.1;
        env.Observe(s);
        Assert.That(s[0], Is.EqualTo(x + 0.02 * xDot).Within(1e-6));
        Assert.That(s[1], Is.EqualTo(xDot + 0.02 * xAcc).Within(1e-5));
        Assert.That(s[2], Is.EqualTo(theta + 0.02 * thetaDot).Within(1e-6));
        Assert.That(s[3], Is.EqualTo(thetaDot + 0.02 * thetaAcc).Within(1e-5));
        Assert.That(terminated || truncated, Is.False);
    }

    [Test]
    public void AlwaysPushingRightFallsAndEpisodesTruncateAt500()
    {
        var env = new CartPole(seed: 2);
        bool terminated = false, truncated = false;
        int steps = 0;
        while (!terminated && !truncated) { env.Step(1, out terminated, out truncated); steps++; }
        Assert.That(terminated, Is.True);
        Assert.That(steps, Is.LessThan(50));
        Assert.That(CartPole.MaxSteps, Is.EqualTo(500));
    }

    [Test]
    public void ABoundedDqnRunShowsLearningProgress()
    {
        // CI's bounded form of the sample: 12,000 steps (the full run solves within 50,000).
        var settings = new CartPoleSettings { Seed = 1, MaxEnvironmentSteps = 12_000, EvaluateEvery = 2_000, EvaluationEpisodes = 20, Hidden = new[] { 64, 64 } };
        using Brain brain = CartPoleRun.CreateBrain(settings);
        float untrained = CartPoleRun.Evaluate(brain, 20, seed: 99);
        CartPoleResult result = CartPoleRun.Train(settings, brain);
        Assert.That(result.Evaluations, Is.Not.Empty);
        Assert.That(result.BestEvaluationAverage, Is.GreaterThan(Math.Max(100f, 3 * untrained)),
            $"untrained {untrained}, evaluations {string.Join(", ", result.Evaluations)}");
    }
}
