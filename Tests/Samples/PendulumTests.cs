using System;
using Cortex.Samples.Agents;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
public sealed class PendulumTests
{
    [Test]
    public void DynamicsAndRewardFollowPendulumV1()
    {
        var env = new Pendulum(seed: 1);
        env.SetState(theta: 3.5, thetaDot: 1.2);
        float reward = env.Step(5f, out bool truncated);   // clipped to 2
        double angle = 3.5 - 2 * Math.PI;
        Assert.That(reward, Is.EqualTo(-(angle * angle + 0.1 * 1.2 * 1.2 + 0.001 * 4)).Within(1e-5));
        double thetaDot = 1.2 + (15 * Math.Sin(3.5) + 3 * 2) * 0.05;
        Assert.That(env.ThetaDot, Is.EqualTo(thetaDot).Within(1e-9));
        Assert.That(env.Theta, Is.EqualTo(3.5 + thetaDot * 0.05).Within(1e-9));
        Assert.That(truncated, Is.False);
        float[] o = new float[3];
        env.Observe(o);
        Assert.That(o[0], Is.EqualTo((float)Math.Cos(env.Theta)));
        Assert.That(o[1], Is.EqualTo((float)Math.Sin(env.Theta)));
        env.SetState(0, 7.9);
        env.Step(2f, out _);
        Assert.That(env.ThetaDot, Is.EqualTo(8.0), "speed clipped at 8");
        int steps = 1;
        while (!truncated) { env.Step(0f, out truncated); steps++; }
        Assert.That(steps, Is.EqualTo(Pendulum.MaxSteps));
        for (int i = 0; i < 1000; i++)
        {
            var e = new Pendulum((ulong)i);
            Assert.That(Math.Abs(e.Theta), Is.LessThan(Math.PI));
            Assert.That(Math.Abs(e.ThetaDot), Is.LessThan(1.0));
        }
    }

    [Test]
    [Category("Long")]
    [Explicit("About 10 s of training: dotnet test Tests -c Release --filter TestCategory=Long")]
    public void SacSwingsThePendulumUpWithin20000Steps()
    {
        var settings = new PendulumSacSettings { Seed = 1 };
        using Brain actor = PendulumSac.CreateActor(settings);
        using Brain critic1 = PendulumSac.CreateCritic(settings, 1);
        using Brain critic2 = PendulumSac.CreateCritic(settings, 2);
        PendulumResult result = PendulumSac.Train(settings, actor, critic1, critic2);
        Assert.That(result.Solved, Is.True, $"avg10 {result.Average10} after {result.EnvironmentSteps} steps");
    }
}
