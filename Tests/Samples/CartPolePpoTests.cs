using Cortex.Samples.Agents;
using NUnit.Framework;

namespace Cortex.Tests.Samples;

[TestFixture]
public sealed class CartPolePpoTests
{
    [Test]
    public void PpoSolvesCartPoleWithinTheBoundedBudget()
    {
        // Seed 1 solves at 16,384 steps (about a second); the bound leaves room without letting a broken learner pass.
        var settings = new CartPolePpoSettings { Seed = 1, MaxEnvironmentSteps = 40_000, EvaluationEpisodes = 100 };
        using Brain actor = CartPolePpo.CreateActor(settings);
        using Brain critic = CartPolePpo.CreateCritic(settings);
        CartPoleResult result = CartPolePpo.Train(settings, actor, critic);
        Assert.That(result.Solved, Is.True, $"best greedy avg100 {result.BestEvaluationAverage} after {result.EnvironmentSteps} steps");
        Assert.That(result.EvaluationAverage, Is.GreaterThanOrEqualTo(475f));
    }
}
