using Cortex.Learning;
using UnityEngine;

namespace Cortex.Samples.Unity
{
    /// <summary>The game logic of one agent, in plain C#: it senses the goal, moves, and is rewarded for reaching it.</summary>
    public sealed class Seeker : Agent
    {
        /// <summary>The agent's body.</summary>
        public Transform Body = null!;

        /// <summary>What it seeks.</summary>
        public Transform Goal = null!;

        /// <inheritdoc />
        protected override void OnEpisodeBegin() => Body.localPosition = Random.insideUnitSphere * 5f;

        /// <inheritdoc />
        protected override void CollectObservations(System.Span<float> observations)
        {
            Vector3 d = Goal.localPosition - Body.localPosition;
            observations[0] = d.x;
            observations[1] = d.z;
        }

        /// <inheritdoc />
        protected override void OnActionReceived(System.ReadOnlySpan<float> action)
        {
            // Discrete actions 0 (stay), 1 (+x), 2 (-x), 3 (+z), 4 (-z): the group passes the chosen index.
            int a = (int)action[0];
            var move = new Vector3(a == 1 ? 1 : a == 2 ? -1 : 0, 0, a == 3 ? 1 : a == 4 ? -1 : 0);
            Body.localPosition += move * 0.1f;
            AddReward(-0.001f);
            if ((Goal.localPosition - Body.localPosition).sqrMagnitude < 0.25f)
            {
                AddReward(1f);
                EndEpisode();
            }
        }
    }
}
